"""Storage of items."""

from collections.abc import Sequence

from sqlalchemy import select

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
    ) -> tuple[Sequence[Item], int]:
        """A page of items, oldest first{% if cookiecutter.use_auth %}, optionally only one owner's{% endif %}."""
        query = select(Item).order_by(Item.id)
{%- if cookiecutter.use_auth %}
        if owner_id is not None:
            query = query.where(Item.owner_id == owner_id)
{%- endif %}
        return await self._page(query, limit=limit, offset=offset)
