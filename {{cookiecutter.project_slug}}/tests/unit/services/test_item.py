"""ItemService with a fake Unit of Work: business rules without a database."""
{% if cookiecutter.use_auth %}
from datetime import UTC, datetime
{% endif %}
import pytest

from {{ cookiecutter.package_name }}.core.errors import ItemNotFound
from {{ cookiecutter.package_name }}.schemas.common import PageParams
from {{ cookiecutter.package_name }}.schemas.item import ItemCreate, ItemUpdate
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.schemas.user import UserRead
{%- endif %}
from {{ cookiecutter.package_name }}.services.item import ItemService
from tests.fakes import FakeUnitOfWork, as_uow
{%- if cookiecutter.use_auth %}


def make_actor(user_id: int, *, role: str = "user") -> UserRead:
    return UserRead(
        id=user_id,
        email=f"u{user_id}@example.com",
        full_name=None,
        is_active=True,
        role=role,
        created_at=datetime.now(UTC),
    )


ALICE = make_actor(1)
BOB = make_actor(2)
ADMIN = make_actor(3, role="admin")
{%- endif %}


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def service(uow: FakeUnitOfWork) -> ItemService:
    return ItemService(as_uow(uow))
{%- if cookiecutter.use_auth %}


async def test_create_item_commits_and_sets_owner(service: ItemService, uow: FakeUnitOfWork):
    """Creating an item stores it, owned by the actor, in one committed transaction."""
    item = await service.create_item(actor=ALICE, data=ItemCreate(title="Milk"))

    assert item.owner_id == ALICE.id
    assert uow.commits == 1
    assert uow.committed_items[item.id]["title"] == "Milk"


async def test_list_items_shows_only_own_items(service: ItemService):
    """A user's list holds their items only, with the total of their items."""
    await service.create_item(actor=ALICE, data=ItemCreate(title="a"))
    await service.create_item(actor=BOB, data=ItemCreate(title="b"))

    page = await service.list_items(actor=ALICE, page=PageParams())

    assert [item.title for item in page.items] == ["a"]
    assert page.total == 1


async def test_admin_lists_every_item(service: ItemService):
    """An admin (items:read:any) sees everyone's items."""
    await service.create_item(actor=ALICE, data=ItemCreate(title="a"))
    await service.create_item(actor=BOB, data=ItemCreate(title="b"))

    page = await service.list_items(actor=ADMIN, page=PageParams())

    assert page.total == 2


async def test_get_item_of_another_user_is_not_found(service: ItemService):
    """Someone else's item is reported as missing, not as forbidden."""
    item = await service.create_item(actor=ALICE, data=ItemCreate(title="a"))

    with pytest.raises(ItemNotFound):
        await service.get_item(actor=BOB, item_id=item.id)


async def test_update_item_changes_only_sent_fields(service: ItemService, uow: FakeUnitOfWork):
    """A partial update keeps the fields that were not sent."""
    item = await service.create_item(actor=ALICE, data=ItemCreate(title="a", description="keep me"))

    updated = await service.update_item(actor=ALICE, item_id=item.id, data=ItemUpdate(title="b"))

    assert (updated.title, updated.description) == ("b", "keep me")
    assert uow.commits == 2


async def test_update_item_of_another_user_does_not_commit(
    service: ItemService, uow: FakeUnitOfWork
):
    """A refused update raises and leaves the stored item unchanged."""
    item = await service.create_item(actor=ALICE, data=ItemCreate(title="a"))

    with pytest.raises(ItemNotFound):
        await service.update_item(actor=BOB, item_id=item.id, data=ItemUpdate(title="x"))

    assert uow.commits == 1
    assert uow.committed_items[item.id]["title"] == "a"


async def test_delete_item_removes_it(service: ItemService, uow: FakeUnitOfWork):
    """Deleting an item commits its removal."""
    item = await service.create_item(actor=ALICE, data=ItemCreate(title="a"))

    await service.delete_item(actor=ALICE, item_id=item.id)

    assert item.id not in uow.committed_items


async def test_delete_missing_item_raises_not_found(service: ItemService, uow: FakeUnitOfWork):
    """Deleting an unknown id raises ItemNotFound and commits nothing."""
    with pytest.raises(ItemNotFound):
        await service.delete_item(actor=ALICE, item_id=404)

    assert not uow.committed
{%- else %}


async def test_create_item_commits(service: ItemService, uow: FakeUnitOfWork):
    """Creating an item stores it in one committed transaction."""
    item = await service.create_item(data=ItemCreate(title="Milk"))

    assert uow.commits == 1
    assert uow.committed_items[item.id]["title"] == "Milk"


async def test_list_items_pages_in_id_order(service: ItemService):
    """A page holds `limit` items from `offset`, oldest first, with the overall total."""
    for title in "abc":
        await service.create_item(data=ItemCreate(title=title))

    page = await service.list_items(page=PageParams(limit=2, offset=1))

    assert [item.title for item in page.items] == ["b", "c"]
    assert (page.total, page.limit, page.offset) == (3, 2, 1)


async def test_update_item_changes_only_sent_fields(service: ItemService):
    """A partial update keeps the fields that were not sent."""
    item = await service.create_item(data=ItemCreate(title="a", description="keep me"))

    updated = await service.update_item(item_id=item.id, data=ItemUpdate(title="b"))

    assert (updated.title, updated.description) == ("b", "keep me")


async def test_get_missing_item_raises_not_found(service: ItemService):
    """Reading an unknown id raises ItemNotFound."""
    with pytest.raises(ItemNotFound):
        await service.get_item(item_id=404)


async def test_delete_item_removes_it(service: ItemService, uow: FakeUnitOfWork):
    """Deleting an item commits its removal."""
    item = await service.create_item(data=ItemCreate(title="a"))

    await service.delete_item(item_id=item.id)

    assert item.id not in uow.committed_items


async def test_delete_missing_item_commits_nothing(service: ItemService, uow: FakeUnitOfWork):
    """Deleting an unknown id raises ItemNotFound and commits nothing."""
    with pytest.raises(ItemNotFound):
        await service.delete_item(item_id=404)

    assert not uow.committed
{%- endif %}
