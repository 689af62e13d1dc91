"""Health probes over HTTP."""

import re
from typing import Any

import httpx2
import pytest
from asgi_correlation_id import correlation_id

from {{ cookiecutter.package_name }}.api import middleware
from {{ cookiecutter.package_name }}.api.middleware import AccessLog, EdgeMiddleware, SecurityHeaders
from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import close_app


async def test_liveness_answers_ok(client: httpx2.AsyncClient):
    """/health/live answers 200 without touching any dependency."""
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_checks_the_database(client: httpx2.AsyncClient):
    """/health/ready answers 200 when the database answers."""
    response = await client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latency_ms"] >= 0
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
    assert body["checks"]["redis"]["status"] == "ok"
{%- endif %}


async def test_readiness_reports_unreachable_database(settings):
    """/health/ready answers 503 naming the database when it cannot be reached."""
{%- if cookiecutter.database == "postgresql" %}
    broken = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"
{%- else %}
    broken = "sqlite+aiosqlite:////nonexistent-folder/for/sure/app.db"
{%- endif %}
    app = create_app(settings.model_copy(update={"database_url": broken}))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/health/ready")
    await close_app(app)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"status": "unavailable"}


async def test_request_id_is_echoed(client: httpx2.AsyncClient):
    """A well-formed X-Request-ID (32 hex digits or a UUID) is echoed back; without one, or
    with anything else, the server makes a new one: 32 hex digits, different every time."""
    sent = ["4f2d5c1e9b8a4c3d8e7f6a5b4c3d2e1f", "4F2D5C1E-9B8A-4C3D-8E7F-6A5B4C3D2E1F"]
    refused = ["<script>", "4f2d5c1e9b8a4c3d8e7f6a5b4c3d2e1f0", "4f2d5c1e-9b8a-4c3d-8e7f"]

    echoed = [
        (await client.get("/health/live", headers={"X-Request-ID": value})).headers
        for value in sent
    ]
    replaced = [
        (await client.get("/health/live", headers={"X-Request-ID": value})).headers
        for value in refused
    ]
    generated = [(await client.get("/health/live")).headers for _ in range(2)]

    assert [headers["X-Request-ID"] for headers in echoed] == sent
    new_ids = [headers["X-Request-ID"] for headers in replaced + generated]
    assert all(re.fullmatch("[0-9a-f]{32}", request_id) for request_id in new_ids)
    assert len(set(new_ids)) == len(new_ids)


async def test_request_id_is_the_one_log_lines_carry():
    """The id in the response is the one in the context variable log lines read while the
    request is served."""

    async def report_id(scope, receive, send) -> None:
        body = str(correlation_id.get()).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    app = EdgeMiddleware(report_id, security_headers=SecurityHeaders(hsts=False))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        responses = [await client.get("/"), await client.get("/")]

    assert [response.text for response in responses] == [
        response.headers["X-Request-ID"] for response in responses
    ]


class RecordingLogger:
    """Stands in for the access logger: keeps the fields of every line."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []

    def info(self, event: str, **fields: Any) -> None:
        self.lines.append({"event": event, **fields})


@pytest.fixture
def access_lines(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The access-log lines written during the test."""
    recorder = RecordingLogger()
    monkeypatch.setattr(middleware, "access_logger", recorder)
    return recorder.lines


async def test_successful_probes_are_not_access_logged(
    client: httpx2.AsyncClient, access_lines: list[dict[str, Any]]
):
    """A successful liveness probe writes no access line; other requests still do."""
    await client.get("/health/live")
    await client.get("/no-such-page")

    assert [line["path"] for line in access_lines] == ["/no-such-page"]


async def test_failed_probe_is_access_logged(access_lines: list[dict[str, Any]]):
    """A quiet path that fails is logged like any other request."""

    async def unavailable(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = EdgeMiddleware(
        unavailable,
        security_headers=SecurityHeaders(hsts=False),
        observers=[AccessLog(quiet_paths=["/health/ready"])],
    )
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        await client.get("/health/ready")

    assert [(line["path"], line["status"]) for line in access_lines] == [("/health/ready", 503)]


async def test_a_request_that_fails_is_logged_as_500(access_lines: list[dict[str, Any]]):
    """When the app raises before answering, the access log records a 500, not nothing."""

    async def broken(scope, receive, send) -> None:
        raise RuntimeError("boom")

    app = EdgeMiddleware(
        broken, security_headers=SecurityHeaders(hsts=False), observers=[AccessLog()]
    )
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        with pytest.raises(RuntimeError, match="boom"):
            await client.get("/items")

    assert [(line["path"], line["status"]) for line in access_lines] == [("/items", 500)]
