"""Shared fixtures: a throwaway real database per run, the app, an async HTTP client.

Each feature's own fixtures live in tests/fixtures/ (the database's, and one module per optional
feature that needs its own), loaded through `pytest_plugins` below.
Tables are emptied after every test that touched the database.
"""

import asyncio
import gc
import os

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

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.db.session import (
    create_engine,
    create_read_session_factory,
    create_session_factory,
)
from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models import Base

pytest_plugins = [
    "tests.fixtures.database",
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
    "tests.fixtures.redis",
{%- endif %}
{%- if cookiecutter.use_auth %}
    "tests.fixtures.accounts",
{%- endif %}
]


@pytest.fixture(scope="session")
def settings(
    database_url: str,
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
    redis_settings: dict,
{%- endif %}
{%- if cookiecutter.use_auth %}
    accounts_settings: dict,
{%- endif %}
) -> Settings:
    """Test settings, with each feature's own (tests/fixtures/)."""
    return Settings(
        environment="test",
        database_url=database_url,
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
        **redis_settings,
{%- endif %}
{%- if cookiecutter.use_auth %}
        **accounts_settings,
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
    await app.state.resources.aclose()


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    """The app between its start-up and its shutdown, as a server runs its lifespan. Start-up
    tunes the garbage collector for a long-lived server; the test run gets its own back."""
    thresholds = gc.get_threshold()
    try:
        async with app.router.lifespan_context(app):
            yield app
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@pytest.fixture
async def client(app: FastAPI, engine: AsyncEngine) -> AsyncIterator[httpx2.AsyncClient]:
    """An HTTP client talking to the app in-process over ASGI; tables emptied after."""
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await empty_tables(engine)
{%- if not cookiecutter.use_auth %}


@pytest.fixture
def headers() -> dict[str, str]:
    """Requests need no headers in this variant."""
    return {}
{%- endif %}
