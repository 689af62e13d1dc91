"""Storage of items, as rows: every method returns items as dicts of their columns.

Rows, not ORM entities, because a page of items is only read, and building and tracking an
ORM object per item is a large share of its cost (docs/architecture.md, decision 26); the other
methods return the same kind of thing so that services handle one. The statements are Core
throughout, the filters and the order too: one mapped attribute (`Item.id`) would make a
statement an ORM one again, with the ORM's result handling.

Updates and deletions are single conditional statements (`... WHERE id = :id RETURNING`):
when concurrent requests change one item, the one that finds the row gone learns it from
the statement itself, instead of from the ORM's row count check after the fact.
"""

from typing import Any

from sqlalchemy import Executable, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.core.errors import ConflictError
from {{ cookiecutter.package_name }}.models.item import Item
from {{ cookiecutter.package_name }}.repositories.base import page_of_rows, paged

# An item as stored: its columns by name.
ItemRow = dict[str, Any]

ITEMS = Item.metadata.tables[Item.__tablename__]  # typed as the Table it is (`__table__` is not)
ITEM_COLUMNS = select(*ITEMS.columns).order_by(ITEMS.c.id)
ITEM_BY_ID = select(*ITEMS.columns).where(ITEMS.c.id == bindparam("item_id"))
ITEMS_PAGE = paged(ITEM_COLUMNS)
{%- if cookiecutter.use_auth %}
OWNED_ITEMS_PAGE = paged(ITEM_COLUMNS.where(ITEMS.c.owner_id == bindparam("owner_id")))
{%- endif %}


class ItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, item_id: int) -> ItemRow | None:
        return await self._one(ITEM_BY_ID, {"item_id": item_id})

    async def add(self, values: dict[str, Any]) -> ItemRow:
        """Insert an item and return it as stored, with its id and timestamps."""
        statement = insert(ITEMS).values(values).returning(*ITEMS.columns)
        try:
            row = await self._one(statement)
        except IntegrityError as exc:
            raise ConflictError() from exc
        assert row is not None  # an INSERT ... RETURNING of one row returns it
        return row

    async def list(
        self,
        *,
        limit: int,
        offset: int,
{%- if cookiecutter.use_auth %}
        owner_id: int | None = None,
{%- endif %}
    ) -> tuple[list[ItemRow], int]:
        """A page of items, oldest first{% if cookiecutter.use_auth %}, optionally only one owner's{% endif %}."""
{%- if cookiecutter.use_auth %}
        if owner_id is not None:
            return await page_of_rows(
                self.session, OWNED_ITEMS_PAGE, limit=limit, offset=offset, owner_id=owner_id
            )
{%- endif %}
        return await page_of_rows(self.session, ITEMS_PAGE, limit=limit, offset=offset)

    async def update_by_id(self, item_id: int, changes: dict[str, Any]) -> ItemRow | None:
        """Apply `changes` to the item and return it as now stored; None if there is no such
        item (a concurrent request deleted it)."""
        if not changes:
            return await self.get(item_id)
        statement = update(ITEMS).where(ITEMS.c.id == item_id).values(changes)
        return await self._one(statement.returning(*ITEMS.columns))

    async def delete_by_id(self, item_id: int) -> ItemRow | None:
        """Delete the item and return it as it was; None if there was no such item (a
        concurrent request deleted it first)."""
        statement = delete(ITEMS).where(ITEMS.c.id == item_id)
        return await self._one(statement.returning(*ITEMS.columns))

    async def _one(
        self, statement: Executable, params: dict[str, Any] | None = None
    ) -> ItemRow | None:
        row = (await self.session.execute(statement, params)).mappings().one_or_none()
        return dict(row) if row is not None else None
