"""Item use cases{% if cookiecutter.use_auth %}: everyone manages their own items; roles with the
`items:*:any` permissions manage anyone's{% endif %}."""

from collections.abc import Sequence

import structlog
from pydantic import TypeAdapter

from {{ cookiecutter.package_name }}.core.errors import ItemNotFound{% if cookiecutter.use_auth %}, PermissionDeniedError{% endif %}
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.core.permissions import Permission, has_permission
{%- endif %}
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.repositories.item import ItemRow
from {{ cookiecutter.package_name }}.schemas.common import Page, PageParams
from {{ cookiecutter.package_name }}.schemas.item import ItemCreate, ItemRead, ItemUpdate
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.schemas.user import UserRead
from {{ cookiecutter.package_name }}.services.audit import audit_entry
{%- endif %}

logger = structlog.get_logger(__name__)


class ItemService:
    """Creates, reads, changes and deletes items, one transaction per call."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
{%- if cookiecutter.use_auth %}

    async def list_items(self, *, actor: UserRead, page: PageParams) -> Page[ItemRead]:
        """A page of the items `actor` may see: their own, or all with `items:read:any`."""
        owner_id = None if has_permission(actor.role, Permission.ITEMS_READ_ANY) else actor.id
        async with self.uow(read_only=True):
            rows, total = await self.uow.items.list(
                limit=page.limit, offset=page.offset, owner_id=owner_id
            )
            return _page(rows, total, page)

    async def create_item(self, *, actor: UserRead, data: ItemCreate) -> ItemRead:
        """Store a new item owned by `actor`."""
        async with self.uow:
            item = await self.uow.items.add({**data.model_dump(), "owner_id": actor.id})
            await self.uow.commit()
            logger.info("item_created", item_id=item["id"], owner_id=actor.id)
            return ItemRead.model_validate(item)

    async def get_item(self, *, actor: UserRead, item_id: int) -> ItemRead:
        """One item, if `actor` may see it (others' items look missing, not forbidden)."""
        async with self.uow(read_only=True):
            return ItemRead.model_validate(await self._visible(actor, item_id))

    async def update_item(self, *, actor: UserRead, item_id: int, data: ItemUpdate) -> ItemRead:
        """Change the fields sent in `data`; an item deleted meanwhile is not found."""
        async with self.uow:
            await self._writable(actor, item_id)
            item = await self.uow.items.update_by_id(item_id, data.model_dump(exclude_unset=True))
            if item is None:
                raise ItemNotFound
            await self.uow.commit()
            logger.info("item_updated", item_id=item_id)
            return ItemRead.model_validate(item)

    async def delete_item(self, *, actor: UserRead, item_id: int) -> None:
        """Delete an item; the deletion is audited with the item's owner and title, once: of
        concurrent deletions only the one that removed the row succeeds."""
        async with self.uow:
            await self._writable(actor, item_id)
            item = await self.uow.items.delete_by_id(item_id)
            if item is None:
                raise ItemNotFound
            await self.uow.audit.add(
                audit_entry(
                    "item.deleted",
                    actor_id=actor.id,
                    entity=("item", item_id),
                    details={"owner_id": item["owner_id"], "title": item["title"]},
                )
            )
            await self.uow.commit()
            logger.info("item_deleted", item_id=item_id)

    async def _visible(self, actor: UserRead, item_id: int) -> ItemRow:
        item = await self.uow.items.get(item_id)
        mine = item is not None and item["owner_id"] == actor.id
        # Someone else's item answers exactly like a missing one: no existence oracle.
        if item is None or not (mine or has_permission(actor.role, Permission.ITEMS_READ_ANY)):
            raise ItemNotFound
        return item

    async def _writable(self, actor: UserRead, item_id: int) -> ItemRow:
        item = await self._visible(actor, item_id)
        mine = item["owner_id"] == actor.id
        if not (mine or has_permission(actor.role, Permission.ITEMS_WRITE_ANY)):
            raise PermissionDeniedError
        return item
{%- else %}

    async def list_items(self, *, page: PageParams) -> Page[ItemRead]:
        """A page of items, oldest first."""
        async with self.uow(read_only=True):
            rows, total = await self.uow.items.list(limit=page.limit, offset=page.offset)
            return _page(rows, total, page)

    async def create_item(self, *, data: ItemCreate) -> ItemRead:
        """Store a new item."""
        async with self.uow:
            item = await self.uow.items.add(data.model_dump())
            await self.uow.commit()
            logger.info("item_created", item_id=item["id"])
            return ItemRead.model_validate(item)

    async def get_item(self, *, item_id: int) -> ItemRead:
        async with self.uow(read_only=True):
            return ItemRead.model_validate(await self._existing(item_id))

    async def update_item(self, *, item_id: int, data: ItemUpdate) -> ItemRead:
        """Change the fields sent in `data`; an item deleted meanwhile is not found."""
        async with self.uow:
            item = await self.uow.items.update_by_id(item_id, data.model_dump(exclude_unset=True))
            if item is None:
                raise ItemNotFound
            await self.uow.commit()
            logger.info("item_updated", item_id=item_id)
            return ItemRead.model_validate(item)

    async def delete_item(self, *, item_id: int) -> None:
        """Delete an item; of concurrent deletions, only the one that removed the row succeeds."""
        async with self.uow:
            if await self.uow.items.delete_by_id(item_id) is None:
                raise ItemNotFound
            await self.uow.commit()
            logger.info("item_deleted", item_id=item_id)

    async def _existing(self, item_id: int) -> ItemRow:
        item = await self.uow.items.get(item_id)
        if item is None:
            raise ItemNotFound
        return item
{%- endif %}


# Validates a whole page in one call into pydantic-core, rather than one call per item.
ITEM_LIST = TypeAdapter(list[ItemRead])


def _page(rows: Sequence[ItemRow], total: int, page: PageParams) -> Page[ItemRead]:
    return Page[ItemRead](
        items=ITEM_LIST.validate_python(rows),
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
