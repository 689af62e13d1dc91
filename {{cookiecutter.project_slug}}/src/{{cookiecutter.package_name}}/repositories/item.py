"""Storage of items."""

from collections.abc import Sequence

from sqlalchemy import Row, select

from {{ cookiecutter.package_name }}.models.item import Item
from {{ cookiecutter.package_name }}.repositories.base import BaseRepository


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
    ) -> tuple[Sequence[Row], int]:
        """A page of items as plain rows, oldest first{% if cookiecutter.use_auth %}, optionally only one owner's{% endif %}.

        Rows, not entities: a page is only read, and an ORM object per item (built, then
        tracked by the session) cost about 8 us per item, a sixth of a 100-item page.
        """
        query = select(*Item.__table__.columns).order_by(Item.id)
{%- if cookiecutter.use_auth %}
        if owner_id is not None:
            query = query.where(Item.owner_id == owner_id)
{%- endif %}
        return await self._page_of_rows(query, limit=limit, offset=offset)
