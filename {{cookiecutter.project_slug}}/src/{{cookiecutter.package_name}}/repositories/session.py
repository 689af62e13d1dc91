"""Storage of login sessions and refresh tokens."""

from datetime import datetime

from sqlalchemy import RowMapping, bindparam, select, update

from {{ cookiecutter.package_name }}.models.session import AuthSession, RefreshToken
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.repositories.base import BaseRepository, rows_affected

# Runs on every authenticated request, so it is built once: building the expression costs
# more than executing it (SQLAlchemy caches the compiled SQL, not the Python objects). Core
# columns, not the User entity: the request only reads its caller, and needs no ORM object
# built and tracked by the session (docs/architecture.md, decision 26). Never the password hash.
_USERS, _SESSIONS = User.__table__, AuthSession.__table__
USER_OF_LIVE_SESSION = (
    select(
        _USERS.c.id,
        _USERS.c.email,
        _USERS.c.full_name,
        _USERS.c.is_active,
        _USERS.c.role,
        _USERS.c.created_at,
    )
    .join(_SESSIONS, _SESSIONS.c.user_id == _USERS.c.id)
    .where(
        _USERS.c.id == bindparam("user_id"),
        _SESSIONS.c.id == bindparam("session_id"),
        _SESSIONS.c.revoked_at.is_(None),
    )
)


class SessionRepository(BaseRepository[AuthSession]):
    model = AuthSession

    async def add_refresh_token(self, token: RefreshToken) -> RefreshToken:
        self.session.add(token)
        await self.session.flush()
        return token

    async def get_refresh_token(self, token_hash: str) -> tuple[RefreshToken, AuthSession] | None:
        """The refresh token with this hash and its session, or None."""
        row = (
            await self.session.execute(
                select(RefreshToken, AuthSession)
                .join(AuthSession, AuthSession.id == RefreshToken.session_id)
                .where(RefreshToken.token_hash == token_hash)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def spend_refresh_token(self, token_id: int, *, now: datetime) -> bool:
        """Mark a refresh token used; False if it already was (a concurrent or replayed use).

        A conditional UPDATE makes this atomic: of two simultaneous refreshes with
        the same token, exactly one wins.
        """
        spent = await rows_affected(
            self.session,
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
            .values(used_at=now),
        )
        return spent == 1

    async def get_used_at(self, token_id: int) -> datetime | None:
        """When a refresh token was spent, read from the database itself: a column, not the
        entity, so a copy already loaded in this session cannot answer instead."""
        return await self.session.scalar(
            select(RefreshToken.used_at).where(RefreshToken.id == token_id)
        )

    async def revoke(self, session_id: str, *, now: datetime) -> None:
        await self.session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all(
        self, user_id: int, *, now: datetime, keep_session_id: str | None = None
    ) -> int:
        """Revoke every live session of a user (but `keep_session_id`); returns how many."""
        query = (
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if keep_session_id is not None:
            query = query.where(AuthSession.id != keep_session_id)
        return await rows_affected(self.session, query)

    async def get_user_of_live_session(self, user_id: int, session_id: str) -> RowMapping | None:
        """The user's public columns, if `session_id` is theirs and not revoked: one round
        trip per request."""
        result = await self.session.execute(
            USER_OF_LIVE_SESSION, {"user_id": user_id, "session_id": session_id}
        )
        return result.mappings().first()
