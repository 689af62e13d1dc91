"""ItemRepository against the real database."""

from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.models.user import User


async def add_owner(uow: SqlAlchemyUnitOfWork, email: str) -> int:
    user = await uow.users.add(User(email=email, hashed_password="x"))
    return user.id
{%- endif %}


async def test_add_assigns_id_and_timestamps(uow: SqlAlchemyUnitOfWork):
    """Adding an item flushes it: the id and both timestamps are set."""
    async with uow:
{%- if cookiecutter.use_auth %}
        owner_id = await add_owner(uow, "owner@example.com")
        item = await uow.items.add({"title": "first", "owner_id": owner_id})
{%- else %}
        item = await uow.items.add({"title": "first"})
{%- endif %}

        assert item["id"] is not None
        assert item["created_at"] is not None
        assert item["updated_at"] is not None


async def test_list_pages_with_total(uow: SqlAlchemyUnitOfWork):
    """A page is ordered by id and carries the total of all matching rows."""
    async with uow:
{%- if cookiecutter.use_auth %}
        owner_id = await add_owner(uow, "owner@example.com")
        for n in range(5):
            await uow.items.add({"title": f"item {n}", "owner_id": owner_id})
{%- else %}
        for n in range(5):
            await uow.items.add({"title": f"item {n}"})
{%- endif %}

        rows, total = await uow.items.list(limit=2, offset=2)

    assert [row["title"] for row in rows] == ["item 2", "item 3"]
    assert total == 5


async def test_list_past_the_end_still_counts(uow: SqlAlchemyUnitOfWork):
    """A page past the last row is empty but still reports the total."""
    async with uow:
{%- if cookiecutter.use_auth %}
        owner_id = await add_owner(uow, "owner@example.com")
        await uow.items.add({"title": "only", "owner_id": owner_id})
{%- else %}
        await uow.items.add({"title": "only"})
{%- endif %}

        rows, total = await uow.items.list(limit=10, offset=10)

    assert (list(rows), total) == ([], 1)
{%- if cookiecutter.use_auth %}


async def test_list_filters_by_owner(uow: SqlAlchemyUnitOfWork):
    """Filtering by owner returns only that owner's rows and count."""
    async with uow:
        alice = await add_owner(uow, "alice@example.com")
        bob = await add_owner(uow, "bob@example.com")
        await uow.items.add({"title": "a", "owner_id": alice})
        await uow.items.add({"title": "b", "owner_id": bob})

        rows, total = await uow.items.list(limit=10, offset=0, owner_id=bob)
        past_the_end = await uow.items.list(limit=10, offset=10, owner_id=bob)

    assert ([row["title"] for row in rows], total) == (["b"], 1)
    assert past_the_end == ([], 1)
{%- endif %}


async def test_delete_removes_the_row(uow: SqlAlchemyUnitOfWork):
    """A deleted item can no longer be read."""
    async with uow:
{%- if cookiecutter.use_auth %}
        owner_id = await add_owner(uow, "owner@example.com")
        item = await uow.items.add({"title": "gone", "owner_id": owner_id})
{%- else %}
        item = await uow.items.add({"title": "gone"})
{%- endif %}
        await uow.items.delete_by_id(item["id"])

        assert await uow.items.get(item["id"]) is None


async def test_a_deleted_id_is_never_handed_out_again(uow: SqlAlchemyUnitOfWork):
    """After the newest item is deleted, the next item gets a new id, not the deleted one: a
    stale link must never lead to someone else's new item (SQLite too, via AUTOINCREMENT)."""
    async with uow:
{%- if cookiecutter.use_auth %}
        owner_id = await add_owner(uow, "owner@example.com")
        deleted = await uow.items.add({"title": "deleted", "owner_id": owner_id})
{%- else %}
        deleted = await uow.items.add({"title": "deleted"})
{%- endif %}
        await uow.commit()
    async with uow:
        await uow.items.delete_by_id(deleted["id"])
        await uow.commit()
    async with uow:
{%- if cookiecutter.use_auth %}
        created = await uow.items.add({"title": "created", "owner_id": owner_id})
{%- else %}
        created = await uow.items.add({"title": "created"})
{%- endif %}
        await uow.commit()

    assert created["id"] > deleted["id"]
