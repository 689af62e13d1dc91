"""The Unit of Work: one transaction per use case, committed explicitly.

    async with uow:
        item = await uow.items.add(...)
        await uow.commit()

Leaving the block without `commit()` (or through an exception) rolls back, so
the only path that changes state is full success. Repositories share the Unit
of Work's session and never commit themselves.

Use cases that only read say so, `async with uow(read_only=True):`: their
statements run without BEGIN and ROLLBACK, two round trips fewer on the hot
paths, and any write raises.

Each block opens a session on enter and gives it up on exit. Blocks do not nest: entering
one while another is open is a bug (the inner block would take a second connection, or on
SQLite wait for the outer one's lock forever), and raises at once.

A read-only block's session is not closed at once but parked until the task next waits for
something. A read-only block that starts before then (a second read of the same request, such
as the use case right after a dependency's read: they share the request's Unit of Work) takes
it over, saving a pool checkout, its pre-ping and a session. As soon as the task waits (a
thread, a lock, the network)
the event loop runs and returns the parked connection to the pool; a block that may write
returns it before taking its own, and the API's routes return it before their response is
sent. So a Unit of Work never holds two connections, nor keeps one idle while its task waits
(docs/architecture.md, decision 24: it keeps the item list above its benchmark target).

SQLite lets one transaction write at a time. Given a `writer_lock`, units of work
that may write queue on it, first come first served, before their transaction
begins; without it they would wait in SQLite's busy handler, which polls with
growing sleeps and let unlucky writers wait over a second under contention.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Protocol, Self

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

{% if cookiecutter.use_auth -%}
from {{ cookiecutter.package_name }}.repositories.audit import AuditRepository
{% endif -%}
from {{ cookiecutter.package_name }}.repositories.item import ItemRepository
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.repositories.mfa import MfaRepository
from {{ cookiecutter.package_name }}.repositories.password_reset import PasswordResetRepository
from {{ cookiecutter.package_name }}.repositories.session import SessionRepository
from {{ cookiecutter.package_name }}.repositories.user import UserRepository
{%- endif %}

logger = structlog.get_logger(__name__)


class UnitOfWork(Protocol):
    """What services depend on; the SQLAlchemy and fake implementations both fit."""

    items: ItemRepository
{%- if cookiecutter.use_auth %}
    users: UserRepository
    sessions: SessionRepository
    audit: AuditRepository
    password_resets: PasswordResetRepository
    mfa: MfaRepository
{%- endif %}

    def __call__(self, *, read_only: bool = False) -> AbstractAsyncContextManager[Self]:
        """A block in the mode given: `async with uow(read_only=True):`."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class SqlAlchemyUnitOfWork:
    """A Unit of Work over one AsyncSession per block, opened on enter and closed on exit (a
    read-only block's session is parked instead, for a read-only block that follows)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        read_session_factory: async_sessionmaker[AsyncSession] | None = None,
        *,
        writer_lock: asyncio.Lock | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._read_session_factory = read_session_factory or session_factory
        self._writer_lock = writer_lock
        self._session: AsyncSession | None = None
        self._read_only = False
        # The last read-only block's session, until the next block takes it or the loop runs.
        self._parked: AsyncSession | None = None

    def __call__(self, *, read_only: bool = False) -> AbstractAsyncContextManager[Self]:
        """A block in the mode given; read-only runs without a transaction."""
        return self._block(read_only=read_only)

    async def __aenter__(self) -> Self:
        return await self._open(read_only=False)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close()

    @asynccontextmanager
    async def _block(self, *, read_only: bool) -> AsyncIterator[Self]:
        await self._open(read_only=read_only)
        try:
            yield self
        except BaseException:
            await self._close()
            raise
        await self._close(park=read_only)

    async def _open(self, *, read_only: bool) -> Self:
        if self._session is not None:
            raise RuntimeError(
                "a Unit of Work block is already open: finish it before starting the next "
                "(blocks do not nest)"
            )
        if read_only:
            if (parked := self._take_parked()) is not None:
                parked.expunge_all()  # the connection is reused, not the objects read with it
                self._session = parked
            else:
                self._session = self._read_session_factory()
        else:
            await self.aclose()  # never two connections at once
            if self._writer_lock is not None:
                await self._writer_lock.acquire()
            self._session = self._session_factory()
        self._read_only = read_only
        self.items = ItemRepository(self._session)
{%- if cookiecutter.use_auth %}
        self.users = UserRepository(self._session)
        self.sessions = SessionRepository(self._session)
        self.audit = AuditRepository(self._session)
        self.password_resets = PasswordResetRepository(self._session)
        self.mfa = MfaRepository(self._session)
{%- endif %}
        return self

    async def _close(self, *, park: bool = False) -> None:
        session, self._session = self._session, None
        assert session is not None
        if park:
            self._parked = session
            asyncio.get_running_loop().call_soon(self._release_parked)
            return
        try:
            # Closing rolls back whatever was not committed and returns the connection.
            await session.close()
        finally:
            if not self._read_only and self._writer_lock is not None:
                self._writer_lock.release()

    def _take_parked(self) -> AsyncSession | None:
        session, self._parked = self._parked, None
        return session

    async def aclose(self) -> None:
        """Return the connection a read-only block left parked now, not when the loop next
        runs: before a response is sent, or before disposing of the engine."""
        if (session := self._take_parked()) is not None:
            await session.close()

    def _release_parked(self) -> None:
        """The loop runs again, so the task that parked a session is waiting (or done): close
        it in a task of its own, unless a block took it first."""
        if (session := self._take_parked()) is not None:
            task = asyncio.get_running_loop().create_task(session.close())
            _closing.add(task)
            task.add_done_callback(_closed)

    async def commit(self) -> None:
        assert self._session is not None, "commit() outside `async with uow:`"
        if self._read_only:
            raise RuntimeError("commit() in a read-only unit of work")
        await self._session.commit()

    async def rollback(self) -> None:
        assert self._session is not None, "rollback() outside `async with uow:`"
        await self._session.rollback()


# Closing tasks, held until they finish (the loop keeps only weak references to tasks).
_closing: set[asyncio.Task[None]] = set()


def _closed(task: asyncio.Task[None]) -> None:
    _closing.discard(task)
    if not task.cancelled() and (exc := task.exception()) is not None:
        logger.error("read_session_close_failed", exc_info=exc)
