"""Engine and session factory, built from settings once per application."""

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.core.config import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    """An async engine with pool settings for servers and pragmas for SQLite.

    A server's connections rest in autocommit: the pre-ping on every checkout is then one
    round trip (`;`) instead of three (`BEGIN`, `;`, `ROLLBACK`). Whatever writes takes
    its connection through `transactional()`.
    """
    options: dict[str, Any] = {"echo": settings.sql_echo}
    if settings.is_sqlite:
        engine = create_async_engine(settings.database_url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        # A connection killed by the server is detected and replaced before use.
        pool_pre_ping=True,
        isolation_level="AUTOCOMMIT",
        **options,
    )


def transactional(engine: AsyncEngine) -> AsyncEngine:
    """`engine` with real transactions (`BEGIN` ... `COMMIT`), for sessions that write and for
    migrations. Switching a checked-out connection to it costs no round trip."""
    if engine.dialect.name == "sqlite":
        return engine  # SQLite connections are transactional already
    return engine.execution_options(isolation_level="READ COMMITTED")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker:
    # expire_on_commit=False: attributes read after commit would otherwise trigger
    # an implicit (and, in async code, impossible) reload.
    return async_sessionmaker(transactional(engine), expire_on_commit=False, autoflush=False)


def create_read_session_factory(engine: AsyncEngine) -> async_sessionmaker:
    """Sessions for read-only use cases: each statement runs on its own, with no
    BEGIN/ROLLBACK around it, and any attempt to write fails loudly."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=ReadOnlySession,
    )


class ReadOnlySession(Session):
    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise RuntimeError("write attempted in a read-only unit of work")


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    # SQLite ignores foreign keys unless told so on every connection; WAL lets
    # readers proceed while one writer commits.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Begin every transaction that may write with `BEGIN IMMEDIATE`, taking SQLite's write
    lock up front (another writer waits for it, up to busy_timeout).

    The driver's own BEGIN comes only before the first INSERT, UPDATE or DELETE, so what a
    transaction read before its first write was read outside it, and another writer could
    change it in between: two admins demoting each other could both count the other and
    leave none. Readers are not blocked (WAL), and read-only units of work run in autocommit,
    where nothing begins.
    """
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
