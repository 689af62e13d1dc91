"""Storage of audit rows: append and search, never update."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from {{ cookiecutter.package_name }}.models.audit import AuditLog
from {{ cookiecutter.package_name }}.repositories.base import BaseRepository


class AuditRepository(BaseRepository[AuditLog]):
    model = AuditLog

    async def list(
        self,
        *,
        limit: int,
        offset: int,
        actor_id: int | None = None,
        action: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[Sequence[AuditLog], int]:
        """A page of matching rows, newest first."""
        query = select(AuditLog).order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc())
        if actor_id is not None:
            query = query.where(AuditLog.actor_id == actor_id)
        if action is not None:
            query = query.where(AuditLog.action == action)
        if entity_type is not None:
            query = query.where(AuditLog.entity_type == entity_type)
        if entity_id is not None:
            query = query.where(AuditLog.entity_id == entity_id)
        if since is not None:
            query = query.where(AuditLog.occurred_at >= since)
        if until is not None:
            query = query.where(AuditLog.occurred_at < until)
        return await self._page(query, limit=limit, offset=offset)
