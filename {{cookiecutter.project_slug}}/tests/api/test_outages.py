"""Outages answered, not crashed: a stopped or frozen dependency gets a 503 with Retry-After,
in bounded time, and the service recovers by itself once the dependency is back."""

{% if cookiecutter.database == "postgresql" -%}
import asyncio
{% else -%}
import sqlite3
{% endif -%}
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import pytest
from fastapi import FastAPI
{%- if cookiecutter.database == "postgresql" %}
from sqlalchemy import make_url, text
{%- endif %}

from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import close_app
{%- if cookiecutter.database == "postgresql" %}
from tests.outages import FreezableProxy, closed_port, frozen_server
{%- elif cookiecutter.use_auth and cookiecutter.use_redis %}
from tests.outages import closed_port, frozen_server
{%- endif %}

# Small bounds keep the suite fast; the assertions allow for a slow machine.
TIMEOUT = 0.5
WITHIN = 3.0
{%- if cookiecutter.use_auth %}
DATABASE_ROUTES = ["/api/v1/items/", "/api/v1/users/me"]
{%- else %}
DATABASE_ROUTES = ["/api/v1/items/"]
{%- endif %}


@asynccontextmanager
async def client_of(
    settings, **overrides: object
) -> AsyncIterator[tuple[FastAPI, httpx2.AsyncClient]]:
    """An app built with these settings changed, and a client talking to it over ASGI."""
    app = create_app(settings.model_copy(update=overrides))
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client
    finally:
        await close_app(app)


def auth_headers(app: FastAPI) -> dict[str, str]:
    """Headers that get a request as far as the database."""
{%- if cookiecutter.use_auth %}
    # A well-signed token: checking its session is the first thing that needs the database.
    token = app.state.tokens.issue(user_id=1, session_id="any").token
    return {"Authorization": f"Bearer {token}"}
{%- else %}
    return {}
{%- endif %}


def assert_database_unavailable(response: httpx2.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["code"] == "service.database_unavailable"


def unreachable_database_url(database_url: str) -> str:
{%- if cookiecutter.database == "postgresql" %}
    return make_url(database_url).set(port=closed_port()).render_as_string(hide_password=False)
{%- else %}
    return "sqlite+aiosqlite:////nonexistent-folder/for/sure/app.db"
{%- endif %}


@pytest.mark.parametrize("path", DATABASE_ROUTES)
async def test_stopped_database_answers_503_with_retry_after(settings, path: str):
    """With the database stopped, a route that needs it answers 503 JSON with Retry-After and
    a stable code, not a 500."""
    broken = unreachable_database_url(settings.database_url)
    async with client_of(settings, database_url=broken) as (app, client):
        response = await client.get(path, headers=auth_headers(app))

    assert_database_unavailable(response)
{%- if cookiecutter.database == "postgresql" %}


async def test_frozen_database_answers_503_within_connect_timeout(settings):
    """A database that accepts connections and never answers gets a 503 once DB_CONNECT_TIMEOUT
    has passed, not a hang."""
    async with frozen_server() as port:
        frozen = make_url(settings.database_url).set(port=port)
        async with client_of(
            settings,
            database_url=frozen.render_as_string(hide_password=False),
            db_connect_timeout=TIMEOUT,
        ) as (app, client):
            started = time.perf_counter()
            response = await client.get("/api/v1/items/", headers=auth_headers(app))
            elapsed = time.perf_counter() - started

    assert_database_unavailable(response)
    assert elapsed < WITHIN


async def test_statement_over_the_timeout_is_cut(settings, engine):
    """A statement running longer than DB_STATEMENT_TIMEOUT is abandoned at that bound with an
    error the API maps to 503, and the engine then serves the next statement."""
    from {{ cookiecutter.package_name }}.db.session import create_engine, is_unavailable

    bounded = create_engine(settings.model_copy(update={"db_statement_timeout": TIMEOUT}))
    started = time.perf_counter()
    with pytest.raises(Exception) as failure:  # noqa: PT011  # which type is the driver's business
        async with bounded.connect() as connection:
            await connection.execute(text("SELECT pg_sleep(10)"))
    elapsed = time.perf_counter() - started
    async with bounded.connect() as connection:
        after = await connection.scalar(text("SELECT 1"))
    await bounded.dispose()

    assert is_unavailable(failure.value)
    assert elapsed < WITHIN
    assert after == 1


async def test_database_frozen_mid_request_answers_503_and_recovers(settings, engine):
    """When the database freezes after connections are open, requests get a 503 within
    DB_STATEMENT_TIMEOUT; once it thaws, the same app answers normally, without a restart."""
    server = make_url(settings.database_url)
    async with FreezableProxy(server.host or "127.0.0.1", server.port or 5432) as proxy:
        through_proxy = server.set(host="127.0.0.1", port=proxy.port)
        async with client_of(
            settings,
            database_url=through_proxy.render_as_string(hide_password=False),
            db_statement_timeout=TIMEOUT,
            db_connect_timeout=TIMEOUT,
        ) as (app, client):
            headers = auth_headers(app)
            warm = await client.get("/health/ready")
            proxy.freeze()
            started = time.perf_counter()
            try:
                # A hang fails the test instead of stalling the suite.
                async with asyncio.timeout(WITHIN * 2):
                    frozen = await client.get("/api/v1/items/", headers=headers)
            finally:
                proxy.thaw()
            elapsed = time.perf_counter() - started
            thawed = await client.get("/health/ready")

    assert warm.status_code == 200
    assert_database_unavailable(frozen)
    assert elapsed < WITHIN
    assert thawed.status_code == 200, thawed.text
{%- else %}


async def test_write_blocked_by_another_writer_answers_503_within_statement_timeout(
    settings, engine
):
    """A write that waits for another process's lock on the SQLite file longer than
    DB_STATEMENT_TIMEOUT gets a 503, not a 500 and not a hang."""
    path = settings.database_url.removeprefix("sqlite+aiosqlite:///")
    other_writer = sqlite3.connect(path, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")
    try:
        async with client_of(settings, db_statement_timeout=TIMEOUT) as (_, client):
            started = time.perf_counter()
{%- if cookiecutter.use_auth %}
            response = await client.post(
                "/api/v1/users/",
                json={"email": "locked@example.com", "password": "a-long-enough-password"},
            )
{%- else %}
            response = await client.post("/api/v1/items/", json={"title": "locked"})
{%- endif %}
            elapsed = time.perf_counter() - started
    finally:
        other_writer.rollback()
        other_writer.close()

    assert_database_unavailable(response)
    assert elapsed < WITHIN
{%- endif %}
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}


@asynccontextmanager
async def stopped_redis() -> AsyncIterator[str]:
    yield f"redis://127.0.0.1:{closed_port()}/0"


@asynccontextmanager
async def frozen_redis() -> AsyncIterator[str]:
    async with frozen_server() as port:
        yield f"redis://127.0.0.1:{port}/0"


@pytest.mark.parametrize("outage", [stopped_redis, frozen_redis], ids=["stopped", "frozen"])
async def test_login_without_redis_answers_503_with_retry_after(settings, engine, outage):
    """With Redis stopped or frozen the rate limiter cannot count, so login fails closed: a 503
    with Retry-After and a stable code, within REDIS_TIMEOUT, never a 500 and never unlimited."""
    async with (
        outage() as redis_url,
        client_of(settings, redis_url=redis_url, redis_timeout=TIMEOUT) as (_, client),
    ):
        started = time.perf_counter()
        response = await client.post(
            "/api/v1/auth/login", data={"username": "a@example.com", "password": "whatever"}
        )
        elapsed = time.perf_counter() - started

    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["code"] == "service.rate_limiter_unavailable"
    assert elapsed < WITHIN


async def test_readiness_reports_redis_degraded_but_stays_ready(settings, engine):
    """With only Redis down, /health/ready answers 200 naming Redis degraded: the instance
    stays in rotation, since everything but the rate-limited routes still works."""
    async with (
        stopped_redis() as redis_url,
        client_of(settings, redis_url=redis_url, redis_timeout=TIMEOUT) as (_, client),
    ):
        response = await client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"] == {"status": "degraded"}


async def test_readiness_is_unavailable_when_the_database_is_down_too(settings):
    """With the database and Redis both down, /health/ready answers 503: the database is what
    takes an instance out of rotation."""
    broken = unreachable_database_url(settings.database_url)
    async with (
        stopped_redis() as redis_url,
        client_of(settings, database_url=broken, redis_url=redis_url) as (_, client),
    ):
        response = await client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"status": "unavailable"}
    assert body["checks"]["redis"] == {"status": "degraded"}
{%- endif %}
