"""Engine and session factory, built from settings once per application."""

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session

from {{ cookiecutter.package_name }}.core.config import Settings

# What the drivers raise when the database is out of reach: connection failures and timeouts
# come as they are (OSError, TimeoutError), SQLAlchemy wraps what happens on an open connection.
DRIVER_ERRORS: tuple[type[Exception], ...] = (DBAPIError, OSError)
# SQLSTATEs of a server that is going away or gave up waiting: connection exceptions (class
# 08), too many connections, query_canceled (statement_timeout), shutdown, cannot connect now.
UNAVAILABLE_SQLSTATES = ("08", "53300", "57014", "57P01", "57P02", "57P03")
# SQLite's equivalents: another writer held the lock past the timeout, or no file to open.
UNAVAILABLE_SQLITE_MESSAGES = ("database is locked", "unable to open database file")


def create_engine(settings: Settings) -> AsyncEngine:
    """An async engine with pool settings for servers and pragmas for SQLite.

    A server's connections rest in autocommit: the pre-ping on every checkout is then one
    round trip (`;`) instead of three (`BEGIN`, `;`, `ROLLBACK`). Whatever writes takes
    its connection through `transactional()`.
    """
    options: dict[str, Any] = {"echo": settings.sql_echo}
    statement_timeout = settings.db_statement_timeout or None
    if settings.is_sqlite:
        # SQLite's timeout bounds the wait for another writer's lock (its busy timeout).
        connect_args = {"timeout": statement_timeout} if statement_timeout else {}
        engine = create_async_engine(settings.database_url, connect_args=connect_args, **options)
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
        # A stopped or frozen server costs a request a bounded time, then a 503.
        connect_args={
            "timeout": settings.db_connect_timeout,
            "command_timeout": statement_timeout,
        },
        **options,
    )


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached or did not answer in time (worth
    a retry: 503), rather than refused a statement (a bug: 500)."""
    if isinstance(exc, OSError):  # refused, unreachable, or timed out (TimeoutError)
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    message = str(exc.orig)
    return sqlstate.startswith(UNAVAILABLE_SQLSTATES) or any(
        text in message for text in UNAVAILABLE_SQLITE_MESSAGES
    )


def transactional(engine: AsyncEngine) -> AsyncEngine:
    """`engine` with real transactions (`BEGIN` ... `COMMIT`), for sessions that write and for
    migrations. Switching a checked-out connection to it costs no round trip."""
    if engine.dialect.name == "sqlite":
        return engine  # SQLite connections are transactional already
    return engine.execution_options(isolation_level="READ COMMITTED")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: attributes read after commit would otherwise trigger
    # an implicit (and, in async code, impossible) reload.
    return async_sessionmaker(transactional(engine), expire_on_commit=False, autoflush=False)


def create_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for read-only use cases: each statement runs on its own, with no
    BEGIN/ROLLBACK around it, and any attempt to write fails loudly."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=ReadOnlySession,
    )


class ReadOnlySession(Session):
    """Refuses writes of both kinds: ORM changes at flush, and INSERT, UPDATE or DELETE
    statements when executed. Each would otherwise commit at once, with no transaction
    around it to roll back."""

    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise RuntimeError("write attempted in a read-only unit of work")


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _refuse_statements_that_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError("write attempted in a read-only unit of work")


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    # SQLite ignores foreign keys unless told so on every connection; WAL lets
    # readers proceed while one writer commits. (The busy timeout is DB_STATEMENT_TIMEOUT.)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
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
