"""Shared fixtures: a throwaway real database per run, the app, an async HTTP client.

{%- if cookiecutter.database == "postgresql" %}
TEST_DATABASE_URL names a PostgreSQL *server* (any database on it); each run,
and each xdist worker, creates its own database there and drops it at the end.
{%- else %}
Each run, and each xdist worker, uses its own SQLite file in a temporary folder.
{%- endif %}
Tables are emptied after every test that touched the database.
"""

import asyncio
import os
{%- if cookiecutter.use_auth %}
import socket
{%- endif %}

# Settings are read at import time by the app module: set them before any import.
os.environ["ENVIRONMENT"] = "test"
os.environ["SECRET_KEY"] = "test-only-secret-key-0123456789-abcdefghijklmnop"
os.environ.setdefault("LOG_LEVEL", "WARNING")
{%- if cookiecutter.use_opentelemetry %}
# Tests export no traces whatever .env says (test_tracing.py uses an in-memory exporter).
os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = ""
{%- endif %}
{%- if cookiecutter.use_auth %}
# The console sender is for development only; tests deliver to a real local SMTP server.
os.environ["EMAIL_BACKEND"] = "smtp"
{%- endif %}

{% if cookiecutter.database == "postgresql" or cookiecutter.use_redis -%}
import uuid
{% endif -%}
from collections.abc import AsyncIterator{% if cookiecutter.use_auth %}, Iterator{% endif %}
{%- if cookiecutter.use_auth %}
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
{%- endif %}

import httpx2
import pytest
{%- if cookiecutter.use_redis %}
import redis
{%- endif %}
{%- if cookiecutter.use_auth %}
from aiosmtpd.controller import Controller
{%- endif %}
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
{% if cookiecutter.database == "sqlite" -%}
from sqlalchemy import Connection
{% endif -%}
{% if cookiecutter.database == "postgresql" -%}
from sqlalchemy import Connection, make_url, text
{% endif -%}
from sqlalchemy.ext.asyncio import AsyncEngine{% if cookiecutter.database == "postgresql" %}, create_async_engine{% endif %}

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.db.session import (
    create_engine,
    create_read_session_factory,
    create_session_factory,
)
from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models import Base
{%- if cookiecutter.use_auth %}
from tests.factories import auth_headers
{%- endif %}
{%- if cookiecutter.database == "postgresql" %}

DEFAULT_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
async def database_url(worker_id: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database for this run (and xdist worker), dropped afterwards."""
    server_url = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER_URL))
    name = f"test_{{ cookiecutter.package_name }}_{worker_id}_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # whatever the cause, there is no usable server
        await admin.dispose()
        pytest.exit(
            f"PostgreSQL is not reachable at {server_url.render_as_string(hide_password=True)} "
            f"({exc.__class__.__name__}: {exc}). Start it, or set TEST_DATABASE_URL to a "
            "server URL such as postgresql+asyncpg://postgres@127.0.0.1:5432/postgres.",
            returncode=2,
        )
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
{%- else %}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real SQLite file for this run (and xdist worker), in a temporary folder."""
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
{%- endif %}


{%- if cookiecutter.use_redis %}


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server of the run (REDIS_URL); this run's keys get their own prefix."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2) as client:
            client.ping()
    except redis.RedisError as exc:
        pytest.exit(
            f"Redis is not reachable at {url} ({exc}). Start it, or set REDIS_URL "
            "to a server such as redis://127.0.0.1:6379/0.",
            returncode=2,
        )
    return url
{%- endif %}


{%- if cookiecutter.use_auth %}


class Mailbox:
    """Collects every message the local SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802  # aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server (aiosmtpd) on a free loopback port, for the whole run."""
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    """The messages received during this test (the box is emptied first)."""
    smtp_server[0].messages.clear()
    return smtp_server[0]
{%- endif %}


@pytest.fixture(scope="session")
def settings(
    database_url: str,
{%- if cookiecutter.use_redis %}
    redis_url: str,
{%- endif %}
{%- if cookiecutter.use_auth %}
    smtp_server: tuple[Mailbox, int],
{%- endif %}
) -> Settings:
    """Test settings. Argon2 is made cheap and rate limits loose here only; the tests
    that prove those defences build their own app with strict settings."""
    return Settings(
        environment="test",
        database_url=database_url,
{%- if cookiecutter.use_redis %}
        redis_url=redis_url,
        redis_prefix=f"test-{uuid.uuid4().hex[:12]}",
{%- endif %}
{%- if cookiecutter.use_auth %}
        argon2_time_cost=1,
        argon2_memory_cost=8192,
        rate_limit_login_account="1000/minute",
        rate_limit_login_address="1000/minute",
        rate_limit_register_address="1000/minute",
        rate_limit_refresh_address="1000/minute",
        rate_limit_password_reset_address="1000/minute",
        rate_limit_mfa_account="1000/minute",
        rate_limit_mfa_address="1000/minute",
        email_backend="smtp",
        smtp_port=smtp_server[1],
{%- endif %}
    )


def run_alembic(sync_connection: Connection, *args: str) -> None:
    """Run an Alembic command (`"upgrade", "head"`) on an open connection."""
    config = Config("alembic.ini")
    config.attributes["connection"] = sync_connection
    getattr(command, args[0])(config, *args[1:])


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The engine of the test database, migrated to the newest revision."""
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(run_alembic, "upgrade", "head")
    yield engine
    await engine.dispose()


async def empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
async def session_factory(engine: AsyncEngine) -> AsyncIterator:
    """A session factory on the test database; every table is emptied after the test."""
    yield create_session_factory(engine)
    await empty_tables(engine)


@pytest.fixture
def uow(session_factory) -> SqlAlchemyUnitOfWork:
    """A Unit of Work on the test database, with its read-only mode (and on SQLite the writer
    lock, as the app has)."""
    engine = session_factory.kw["bind"]
    writer_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None
    return SqlAlchemyUnitOfWork(
        session_factory, create_read_session_factory(engine), writer_lock=writer_lock
    )


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    yield app
    await close_app(app)


async def close_app(app: FastAPI) -> None:
    """Release what create_app() opened (the lifespan does this in a real server)."""
{%- if cookiecutter.use_auth %}
    await app.state.outbox.drain()
{%- endif %}
    await app.state.engine.dispose()
{%- if cookiecutter.use_redis %}
    await app.state.redis.aclose()
{%- endif %}


@pytest.fixture
async def client(app: FastAPI, engine: AsyncEngine) -> AsyncIterator[httpx2.AsyncClient]:
    """An HTTP client talking to the app in-process over ASGI; tables emptied after."""
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await empty_tables(engine)
{%- if cookiecutter.use_auth %}


@pytest.fixture
async def headers(client: httpx2.AsyncClient) -> dict[str, str]:
    """Bearer headers of a freshly registered user."""
    return await auth_headers(client)
{%- else %}


@pytest.fixture
def headers() -> dict[str, str]:
    """No authentication in this variant."""
    return {}
{%- endif %}
