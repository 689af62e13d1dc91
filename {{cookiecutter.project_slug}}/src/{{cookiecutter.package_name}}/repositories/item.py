"""Storage of items.

Updates and deletions are single conditional statements (`... WHERE id = :id RETURNING`):
when concurrent requests change one item, the one that finds the row gone learns it from
the statement itself, instead of from the ORM's row count check after the fact.
"""

from typing import Any

from sqlalchemy import Executable, {% if cookiecutter.use_auth %}bindparam, {% endif %}delete, select, update

from {{ cookiecutter.package_name }}.models.item import Item
from {{ cookiecutter.package_name }}.repositories.base import BaseRepository, paged

# Table columns, not entities: a page is only read, and building and tracking an ORM object
# per item is a large share of its cost. Core columns throughout, in the filter and the order
# too: one mapped attribute (`Item.id`) would make it an ORM statement again, with the ORM's
# result handling (docs/architecture.md, decision 26).
ITEMS = Item.metadata.tables[Item.__tablename__]  # typed as the Table it is (`__table__` is not)
ITEM_COLUMNS = select(*ITEMS.columns).order_by(ITEMS.c.id)
ITEMS_PAGE = paged(ITEM_COLUMNS)
{%- if cookiecutter.use_auth %}
OWNED_ITEMS_PAGE = paged(ITEM_COLUMNS.where(ITEMS.c.owner_id == bindparam("owner_id")))
{%- endif %}


class ItemRepository(BaseRepository[Item]):
    model = Item

    async def list(
        self,
        *,
        limit: int,
        offset: int,
{%- if cookiecutter.use_auth %}
        owner_id: int | None = None,
{%- endif %}
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of items as plain dicts, oldest first{% if cookiecutter.use_auth %}, optionally only one owner's{% endif %}."""
{%- if cookiecutter.use_auth %}
        if owner_id is not None:
            return await self._page_of_dicts(
                OWNED_ITEMS_PAGE, limit=limit, offset=offset, owner_id=owner_id
            )
{%- endif %}
        return await self._page_of_dicts(ITEMS_PAGE, limit=limit, offset=offset)

    async def update_by_id(self, item_id: int, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Apply `changes` to the item and return it as now stored; None if there is no such
        item (a concurrent request deleted it)."""
        if not changes:
            return await self._one(ITEM_COLUMNS.where(ITEMS.c.id == item_id))
        statement = update(ITEMS).where(ITEMS.c.id == item_id).values(changes)
        return await self._one(statement.returning(*ITEMS.columns))

    async def delete_by_id(self, item_id: int) -> dict[str, Any] | None:
        """Delete the item and return it as it was; None if there was no such item (a
        concurrent request deleted it first)."""
        statement = delete(ITEMS).where(ITEMS.c.id == item_id)
        return await self._one(statement.returning(*ITEMS.columns))

    async def _one(self, statement: Executable) -> dict[str, Any] | None:
        row = (await self.session.execute(statement)).mappings().one_or_none()
        return dict(row) if row is not None else None
