"""Health probes over HTTP."""

import re
from typing import Any

import httpx2
import pytest

from {{ cookiecutter.package_name }}.api import middleware
from {{ cookiecutter.package_name }}.api.middleware import AccessLogMiddleware
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
{%- if cookiecutter.use_redis %}
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
    """A valid X-Request-ID is echoed back; without one, or with a malformed one, the server
    makes a new one: 32 hex digits, different for every request."""
    sent = "4f2d5c1e9b8a4c3d8e7f6a5b4c3d2e1f"

    echoed = await client.get("/health/live", headers={"X-Request-ID": sent})
    replaced = await client.get("/health/live", headers={"X-Request-ID": "<script>"})
    generated = [(await client.get("/health/live")).headers["X-Request-ID"] for _ in range(2)]

    assert echoed.headers["X-Request-ID"] == sent
    assert re.fullmatch("[0-9a-f]{32}", replaced.headers["X-Request-ID"])
    assert all(re.fullmatch("[0-9a-f]{32}", request_id) for request_id in generated)
    assert generated[0] != generated[1]


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

    app = AccessLogMiddleware(unavailable, quiet_paths=["/health/ready"])
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        await client.get("/health/ready")

    assert [(line["path"], line["status"]) for line in access_lines] == [("/health/ready", 503)]
