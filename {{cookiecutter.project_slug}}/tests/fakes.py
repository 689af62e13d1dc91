"""In-memory stand-ins for the repositories and the Unit of Work, for unit tests.

They keep the real interfaces' semantics that services rely on: ids are
assigned on `add`, and nothing is visible to a later Unit of Work unless
`commit()` was called.
"""

import copy
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from {{ cookiecutter.package_name }}.models.item import Item
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.models.user import User
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


class FakeItemRepository(FakeRepository):
    async def list(
        self,
        *,
        limit: int,
        offset: int,
{%- if cookiecutter.use_auth %}
        owner_id: int | None = None,
{%- endif %}
    ) -> tuple[list[Item], int]:
        rows = sorted(self.rows.values(), key=lambda item: item.id)
{%- if cookiecutter.use_auth %}
        if owner_id is not None:
            rows = [item for item in rows if item.owner_id == owner_id]
{%- endif %}
        return rows[offset : offset + limit], len(rows)
{%- if cookiecutter.use_auth %}


class FakeUserRepository(FakeRepository):
    async def get_by_email(self, email: str) -> User | None:
        return next((user for user in self.rows.values() if user.email == email.lower()), None)
{%- endif %}


class FakeUnitOfWork:
    """Stages changes on a copy of the committed rows; `commit()` publishes them."""

    def __init__(self) -> None:
        self.committed_items: dict[int, Item] = {}
{%- if cookiecutter.use_auth %}
        self.committed_users: dict[int, User] = {}
{%- endif %}
        self.commits = 0

    @property
    def committed(self) -> bool:
        return self.commits > 0

    async def __aenter__(self) -> Self:
        self.items = FakeItemRepository(copy.deepcopy(self.committed_items))
{%- if cookiecutter.use_auth %}
        self.users = FakeUserRepository(copy.deepcopy(self.committed_users))
{%- endif %}
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self.committed_items = copy.deepcopy(self.items.rows)
{%- if cookiecutter.use_auth %}
        self.committed_users = copy.deepcopy(self.users.rows)
{%- endif %}
        self.commits += 1

    async def rollback(self) -> None:
        return None
