"""The Unit of Work: one transaction per use case, committed explicitly.

    async with uow:
        item = await uow.items.add(...)
        await uow.commit()

Leaving the block without `commit()` (or through an exception) rolls back, so
the only path that changes state is full success. Repositories share the Unit
of Work's session and never commit themselves.

Use cases that only read say so, `async with uow(read_only=True):`: their
statements run without BEGIN and ROLLBACK, two round trips fewer on the hot
paths (every authenticated request reads its user), and a flush raises.

Each block opens its own session and closes it on exit. Blocks do not nest: entering one
while another is open is a bug (the inner block would take a second connection, or on SQLite
wait for the outer one's lock forever), and raises at once.

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
    """A Unit of Work over one AsyncSession per block, opened on enter and closed on exit."""

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
        finally:
            await self._close()

    async def _open(self, *, read_only: bool) -> Self:
        if self._session is not None:
            raise RuntimeError(
                "a Unit of Work block is already open: finish it before starting the next "
                "(blocks do not nest)"
            )
        if read_only:
            self._session = self._read_session_factory()
        else:
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

    async def _close(self) -> None:
        session, self._session = self._session, None
        assert session is not None
        try:
            # Closing rolls back whatever was not committed and returns the connection.
            await session.close()
        finally:
            if not self._read_only and self._writer_lock is not None:
                self._writer_lock.release()

    async def commit(self) -> None:
        assert self._session is not None, "commit() outside `async with uow:`"
        if self._read_only:
            raise RuntimeError("commit() in a read-only unit of work")
        await self._session.commit()

    async def rollback(self) -> None:
        assert self._session is not None, "rollback() outside `async with uow:`"
        await self._session.rollback()
