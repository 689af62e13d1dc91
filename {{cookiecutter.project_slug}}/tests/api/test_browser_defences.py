"""Browser-facing defences: security headers, CORS, body size, docs exposure, start-up checks."""

import re
from collections.abc import AsyncIterator

import httpx2
import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.api.middleware import BodySizeLimitMiddleware
from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import close_app

STRONG_SECRET = "Hq3vZ0pW8-rT1yLk6_NbX4sJd9GmCe2uAo7fIi5VhRw"  # secrets.token_urlsafe(32)


async def call(settings: Settings, method: str, url: str, **kwargs) -> httpx2.Response:
    """One request against a fresh app built from `settings`."""
    app = create_app(settings)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.request(method, url, **kwargs)
    await close_app(app)
    return response


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    """A streamed body with no Content-Length: the limit must hold while reading."""
    for part in parts:
        yield part


async def test_security_headers_on_every_response(client: httpx2.AsyncClient):
    """API answers, errors included, carry the hardening headers and a locked-down CSP."""
    for response in (await client.get("/health/live"), await client.get("/nowhere")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "Strict-Transport-Security" not in response.headers


async def test_api_answers_are_never_cached_errors_included(client: httpx2.AsyncClient):
    """Every API answer, error answers included, carries one `Cache-Control: no-store`; the
    OpenAPI pages hold nothing private and carry none."""
    answers = [
        await client.get("/health/live"),
        await client.get("/nowhere"),
        await client.get("/api/v1/items/2147483647"),
        await client.post("/api/v1/items/", content=b"{", headers={"content-type": "x/y"}),
    ]

    assert [answer.headers.get_list("cache-control") for answer in answers] == [["no-store"]] * 4
    assert "cache-control" not in (await client.get("/docs")).headers


async def test_docs_page_gets_a_csp_that_lets_it_work(client: httpx2.AsyncClient):
    """The Swagger UI page may run its own scripts, from this service only; it is still not
    frameable."""
    response = await client.get("/docs")

    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline';" in csp
    assert "frame-ancestors 'none'" in csp
    assert "http" not in csp


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_every_file_from_the_service(client: httpx2.AsyncClient, page: str):
    """The OpenAPI pages work without internet: every script, style and icon they name is a
    path of this service that serves it, and the page names no other host."""
    response = await client.get(page)
    assert response.status_code == 200
    files = re.findall(r'(?:src|href)="([^"]+)"', response.text)

    assert len(files) >= 2, response.text
    assert [url for url in files if not url.startswith("/docs/assets/")] == []
    assert "//" not in response.text.replace("://testserver", "")
    for url in files:
        served = await client.get(url)
        assert served.status_code == 200, url
        assert len(served.content) > 1000, url
        kind = {"js": "javascript", "css": "text/css", "png": "image/png"}[url.rpartition(".")[2]]
        assert kind in served.headers["content-type"], url


async def test_production_sends_hsts_and_hides_docs(settings: Settings):
    """In production HSTS is on and the OpenAPI pages are gone unless enabled."""
    production = settings.model_copy(update={"environment": "production"})

    live = await call(production, "GET", "/health/live")
    docs = await call(production, "GET", "/docs")
    schema = await call(production, "GET", "/openapi.json")
    enabled = await call(production.model_copy(update={"docs_enabled": True}), "GET", "/docs")

    assert live.headers["Strict-Transport-Security"].startswith("max-age=")
    assert (docs.status_code, schema.status_code, enabled.status_code) == (404, 404, 200)


async def test_cors_is_closed_by_default(client: httpx2.AsyncClient):
    """With no CORS_ORIGINS, a preflight gets no Access-Control-Allow-Origin."""
    response = await client.options(
        "/api/v1/items/",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )

    assert "access-control-allow-origin" not in response.headers


async def test_cors_preflight_from_unlisted_origin_is_refused(settings: Settings):
    """Only listed origins are allowed; others get no CORS grant."""
    listed = settings.model_copy(update={"cors_origins": ["https://app.example.com"]})
    preflight = {"Access-Control-Request-Method": "POST"}

    good = await call(
        listed,
        "OPTIONS",
        "/api/v1/items/",
        headers={"Origin": "https://app.example.com", **preflight},
    )
    evil = await call(
        listed, "OPTIONS", "/api/v1/items/", headers={"Origin": "https://evil.example", **preflight}
    )

    assert good.headers["access-control-allow-origin"] == "https://app.example.com"
    assert good.headers["access-control-allow-credentials"] == "true"
    assert evil.status_code == 400
    assert "access-control-allow-origin" not in evil.headers


async def test_wildcard_cors_never_allows_credentials(settings: Settings):
    """Outside production '*' may be used, but never together with credentials."""
    wildcard = settings.model_copy(update={"cors_origins": ["*"]})

    response = await call(
        wildcard, "GET", "/health/live", headers={"Origin": "https://anywhere.example"}
    )

    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


async def test_oversized_body_is_413(settings: Settings):
    """A body over MAX_BODY_SIZE is refused with 413 JSON before the app reads it."""
    small = settings.model_copy(update={"max_body_size": 1024})

    declared = await call(small, "POST", "/api/v1/items/", content=b"x" * 2048)
    streamed = await call(
        small,
        "POST",
        "/api/v1/items/",
        content=chunks(b"x" * 600, b"x" * 600),
        headers={"Content-Type": "application/json"},
    )

    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["code"] == "request.too_large"


async def test_bodies_within_the_limit_reach_the_app_whole():
    """Declared or chunked, a body at the limit reaches the app byte for byte."""

    async def echo(scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    transport = httpx2.ASGITransport(app=BodySizeLimitMiddleware(echo, max_size=1024))
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        declared = await client.post("/", content=b"d" * 1024)
        streamed = await client.post("/", content=chunks(b"s" * 512, b"s" * 512))

    assert (declared.status_code, declared.content) == (200, b"d" * 1024)
    assert (streamed.status_code, streamed.content) == (200, b"s" * 1024)


def test_production_refuses_wildcard_cors():
    """Start-up fails in production when CORS_ORIGINS contains '*'."""
    with pytest.raises(ValidationError, match="CORS_ORIGINS"):
        Settings(environment="production", secret_key=STRONG_SECRET, cors_origins=["*"])


def test_cors_origins_accept_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch):
    """CORS_ORIGINS may be written `a,b` in the environment."""
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")

    settings = Settings(secret_key=STRONG_SECRET, _env_file=None)

    assert settings.cors_origins == ["https://a.example", "https://b.example"]
