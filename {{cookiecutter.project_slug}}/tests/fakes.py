"""In-memory stand-ins for the repositories and the Unit of Work, for unit tests.

They keep the real interfaces' semantics that services rely on: ids are
assigned on `add`, and nothing is visible to a later Unit of Work unless
`commit()` was called.
"""

import copy
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, cast

from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.models.audit import AuditLog
from {{ cookiecutter.package_name }}.models.mfa import MfaFactor, MfaRecoveryCode
from {{ cookiecutter.package_name }}.models.session import AuthSession, RefreshToken
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.repositories.session import USER_OF_LIVE_SESSION
{%- endif %}


class FakeRepository:
    def __init__(self, rows: dict[int, Any]) -> None:
        self.rows = rows

    async def get(self, entity_id: int) -> Any:
        return self.rows.get(entity_id)

    async def add(self, entity: Any) -> Any:
        entity.id = max(self.rows, default=0) + 1
        now = datetime.now(UTC)
        entity.created_at = entity.updated_at = now
        for column in entity.__table__.columns:
            if getattr(entity, column.key) is None and column.default is not None:
                default = column.default.arg
                setattr(entity, column.key, default if not callable(default) else now)
        self.rows[entity.id] = entity
        return entity

    async def update(self, entity: Any, changes: dict[str, Any]) -> Any:
        for field, value in changes.items():
            setattr(entity, field, value)
        entity.updated_at = datetime.now(UTC)
        return entity

    async def delete(self, entity: Any) -> None:
        del self.rows[entity.id]


class FakeItemRepository:
    """Items as rows (dicts of their columns), as the real repository returns them."""

    def __init__(self, rows: dict[int, dict[str, Any]]) -> None:
        self.rows = rows

    async def get(self, item_id: int) -> dict[str, Any] | None:
        row = self.rows.get(item_id)
        return None if row is None else dict(row)

    async def add(self, values: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC)
        item_id = max(self.rows, default=0) + 1
        row = {"description": None, **values, "id": item_id, "created_at": now, "updated_at": now}
        self.rows[item_id] = row
        return dict(row)

    async def list(
        self,
        *,
        limit: int,
        offset: int,
{%- if cookiecutter.use_auth %}
        owner_id: int | None = None,
{%- endif %}
    ) -> tuple[list[dict[str, Any]], int]:
        rows = [self.rows[item_id] for item_id in sorted(self.rows)]
{%- if cookiecutter.use_auth %}
        if owner_id is not None:
            rows = [row for row in rows if row["owner_id"] == owner_id]
{%- endif %}
        return [dict(row) for row in rows[offset : offset + limit]], len(rows)

    async def update_by_id(self, item_id: int, changes: dict[str, Any]) -> dict[str, Any] | None:
        row = self.rows.get(item_id)
        if row is None:
            return None
        row.update(changes, updated_at=datetime.now(UTC))
        return dict(row)

    async def delete_by_id(self, item_id: int) -> dict[str, Any] | None:
        return self.rows.pop(item_id, None)


{%- if cookiecutter.use_auth %}


class FakeUserRepository(FakeRepository):
    async def get_by_email(self, email: str) -> User | None:
        return next((user for user in self.rows.values() if user.email == email.lower()), None)

    async def list(
        self,
        *,
        limit: int,
        offset: int,
        email_contains: str | None = None,
        role: str | None = None,
        is_active: bool | None = None,
    ) -> tuple[list[User], int]:
        rows = [
            user
            for user in sorted(self.rows.values(), key=lambda user: user.id)
            if (email_contains is None or email_contains.lower() in user.email)
            and (role is None or user.role == role)
            and (is_active is None or user.is_active == is_active)
        ]
        return rows[offset : offset + limit], len(rows)

    async def count_active(self, *, role: str) -> int:
        return sum(1 for user in self.rows.values() if user.role == role and user.is_active)


class FakeAuditRepository:
    """Appends audit rows; committed with the rest of the Unit of Work."""

    def __init__(self, rows: list[AuditLog]) -> None:
        self.rows = rows

    async def add(self, entry: AuditLog) -> AuditLog:
        entry.id = len(self.rows) + 1
        entry.occurred_at = datetime.now(UTC)
        self.rows.append(entry)
        return entry


class FakeSessionRepository:
    """Sessions keyed by id and refresh tokens keyed by hash, with the real semantics."""

    def __init__(
        self,
        sessions: dict[str, AuthSession],
        tokens: dict[str, RefreshToken],
        *,
        users: dict[int, User],
    ) -> None:
        self.rows = sessions
        self.tokens = tokens
        self.users = users

    async def add(self, session: AuthSession) -> AuthSession:
        session.created_at = session.created_at or datetime.now(UTC)
        session.revoked_at = None
        self.rows[session.id] = session
        return session

    async def add_refresh_token(self, token: RefreshToken) -> RefreshToken:
        token.id = len(self.tokens) + 1
        token.used_at = None
        self.tokens[token.token_hash] = token
        return token

    async def get_refresh_token(self, token_hash: str) -> tuple[RefreshToken, AuthSession] | None:
        token = self.tokens.get(token_hash)
        return (token, self.rows[token.session_id]) if token else None

    async def spend_refresh_token(self, token_id: int, *, now: datetime) -> bool:
        token = next(token for token in self.tokens.values() if token.id == token_id)
        if token.used_at is not None:
            return False
        token.used_at = now
        return True

    async def get_used_at(self, token_id: int) -> datetime | None:
        return next(token.used_at for token in self.tokens.values() if token.id == token_id)

    async def revoke(self, session_id: str, *, now: datetime) -> None:
        session = self.rows.get(session_id)
        if session is not None and session.revoked_at is None:
            session.revoked_at = now

    async def revoke_all(
        self, user_id: int, *, now: datetime, keep_session_id: str | None = None
    ) -> int:
        live = [
            session
            for session in self.rows.values()
            if session.user_id == user_id
            and session.revoked_at is None
            and session.id != keep_session_id
        ]
        for session in live:
            session.revoked_at = now
        return len(live)

    async def get_user_of_live_session(
        self, user_id: int, session_id: str
    ) -> dict[str, Any] | None:
        """The same columns as the real query, as a mapping."""
        session = self.rows.get(session_id)
        user = self.users.get(user_id)
        if session is None or session.user_id != user_id or session.revoked_at is not None:
            return None
        if user is None:
            return None
        columns = USER_OF_LIVE_SESSION.selected_columns
        return {key: getattr(user, key) for key in (column.key for column in columns) if key}


class FakeMfaRepository:
    """Factors keyed by user id and recovery codes, with the real single-use semantics."""

    def __init__(self, factors: dict[int, MfaFactor], codes: list[MfaRecoveryCode]) -> None:
        self.rows = factors
        self.codes = codes

    async def get(self, user_id: int) -> MfaFactor | None:
        return self.rows.get(user_id)

    async def get_enabled(self, user_id: int) -> MfaFactor | None:
        factor = self.rows.get(user_id)
        return factor if factor is not None and factor.enabled_at is not None else None

    async def replace_pending(self, user_id: int, secret_encrypted: str) -> MfaFactor:
        factor = MfaFactor(user_id=user_id, secret_encrypted=secret_encrypted)
        factor.enabled_at = None
        factor.last_used_step = None
        self.rows[user_id] = factor
        return factor

    async def claim_step(self, user_id: int, step: int) -> bool:
        factor = self.rows[user_id]
        if factor.last_used_step is not None and factor.last_used_step >= step:
            return False
        factor.last_used_step = step
        return True

    async def mark_enabled(self, user_id: int, *, now: datetime) -> None:
        self.rows[user_id].enabled_at = now

    async def remove(self, user_id: int) -> None:
        self.rows.pop(user_id, None)
        self.codes[:] = [code for code in self.codes if code.user_id != user_id]

    async def replace_recovery_codes(self, user_id: int, code_hashes: list[str]) -> None:
        self.codes[:] = [code for code in self.codes if code.user_id != user_id]
        for code_hash in code_hashes:
            code = MfaRecoveryCode(user_id=user_id, code_hash=code_hash)
            code.used_at = None
            self.codes.append(code)

    async def spend_recovery_code(self, user_id: int, code_hash: str, *, now: datetime) -> bool:
        for code in self.codes:
            if code.user_id == user_id and code.code_hash == code_hash and code.used_at is None:
                code.used_at = now
                return True
        return False

    async def count_recovery_codes_left(self, user_id: int) -> int:
        return sum(code.user_id == user_id and code.used_at is None for code in self.codes)
{%- endif %}


class FakeUnitOfWork:
    """Stages changes on a copy of the committed rows; `commit()` publishes them."""

    def __init__(self) -> None:
        self.committed_items: dict[int, dict[str, Any]] = {}
{%- if cookiecutter.use_auth %}
        self.committed_users: dict[int, User] = {}
        self.committed_sessions: dict[str, AuthSession] = {}
        self.committed_tokens: dict[str, RefreshToken] = {}
        self.committed_audit: list[AuditLog] = []
        self.committed_mfa: dict[int, MfaFactor] = {}
        self.committed_recovery_codes: list[MfaRecoveryCode] = []
{%- endif %}
        self.commits = 0
        self.read_only = False
        self.open = False

    @property
    def committed(self) -> bool:
        return self.commits > 0

    def __call__(self, *, read_only: bool = False) -> AbstractAsyncContextManager[Self]:
        return self._block(read_only=read_only)

    @asynccontextmanager
    async def _block(self, *, read_only: bool) -> AsyncIterator[Self]:
        await self.__aenter__()
        self.read_only = read_only
        try:
            yield self
        finally:
            await self.__aexit__(None, None, None)

    async def __aenter__(self) -> Self:
        if self.open:
            raise RuntimeError("a Unit of Work block is already open (blocks do not nest)")
        self.open = True
        self.items = FakeItemRepository(copy.deepcopy(self.committed_items))
{%- if cookiecutter.use_auth %}
        self.users = FakeUserRepository(copy.deepcopy(self.committed_users))
        self.sessions = FakeSessionRepository(
            copy.deepcopy(self.committed_sessions),
            copy.deepcopy(self.committed_tokens),
            users=self.users.rows,
        )
        self.audit = FakeAuditRepository(list(self.committed_audit))
        self.mfa = FakeMfaRepository(
            copy.deepcopy(self.committed_mfa), copy.deepcopy(self.committed_recovery_codes)
        )
{%- endif %}
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.open = False
        self.read_only = False

    async def commit(self) -> None:
        assert not self.read_only, "commit() in a read-only unit of work"
        self.committed_items = copy.deepcopy(self.items.rows)
{%- if cookiecutter.use_auth %}
        self.committed_users = copy.deepcopy(self.users.rows)
        self.committed_sessions = copy.deepcopy(self.sessions.rows)
        self.committed_tokens = copy.deepcopy(self.sessions.tokens)
        self.committed_audit = list(self.audit.rows)
        self.committed_mfa = copy.deepcopy(self.mfa.rows)
        self.committed_recovery_codes = copy.deepcopy(self.mfa.codes)
{%- endif %}
        self.commits += 1

    async def rollback(self) -> None:
        return None


def as_uow(uow: FakeUnitOfWork) -> UnitOfWork:
    """The fake as the UnitOfWork services take. Its repositories have the real ones' methods
    but are not their classes, so the protocol cannot see that it fits."""
    return cast(UnitOfWork, uow)
