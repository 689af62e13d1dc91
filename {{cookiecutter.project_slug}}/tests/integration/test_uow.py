"""Unit of Work semantics on the real database: commit, implicit rollback, rollback on error."""

import pytest

from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
from {{ cookiecutter.package_name }}.models.item import Item
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.models.user import User
{%- endif %}


async def count_items(uow: SqlAlchemyUnitOfWork) -> int:
    async with uow:
        _, total = await uow.items.list(limit=1, offset=0)
        return total


async def add_item(uow: SqlAlchemyUnitOfWork, title: str) -> Item:
{%- if cookiecutter.use_auth %}
    owner = await uow.users.add(User(email=f"{title}@example.com", hashed_password="x"))
    return await uow.items.add(Item(title=title, owner_id=owner.id))
{%- else %}
    return await uow.items.add(Item(title=title))
{%- endif %}


async def test_commit_persists_work(uow: SqlAlchemyUnitOfWork):
    """Work committed inside the block is visible to the next Unit of Work."""
    async with uow:
        item = await add_item(uow, "kept")
        await uow.commit()

    async with uow:
        stored = await uow.items.get(item.id)
        assert stored is not None
        assert stored.title == "kept"


async def test_leaving_without_commit_rolls_back(uow: SqlAlchemyUnitOfWork):
    """Leaving the block without commit() discards everything done inside it."""
    async with uow:
        await add_item(uow, "dropped")

    assert await count_items(uow) == 0


async def test_error_inside_block_rolls_back(uow: SqlAlchemyUnitOfWork):
    """An exception raised after changes (but before commit) leaves no trace."""

    async def fail_halfway() -> None:
        async with uow:
            await add_item(uow, "first")
            await add_item(uow, "second")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await fail_halfway()

    assert await count_items(uow) == 0


async def test_explicit_rollback_discards_work(uow: SqlAlchemyUnitOfWork):
    """rollback() discards the work done so far in the block."""
    async with uow:
        await add_item(uow, "undone")
        await uow.rollback()
        await uow.commit()

    assert await count_items(uow) == 0


async def test_read_only_unit_of_work_reads_committed_rows(uow: SqlAlchemyUnitOfWork):
    """A read-only block sees what earlier units of work committed."""
    async with uow:
        item = await add_item(uow, "visible")
        await uow.commit()

    async with uow(read_only=True):
        assert (await uow.items.get(item.id)).title == "visible"


async def test_read_only_unit_of_work_refuses_writes(uow: SqlAlchemyUnitOfWork):
    """Writing or committing in a read-only block fails, and nothing is stored."""
    with pytest.raises(RuntimeError, match="read-only"):
        async with uow(read_only=True):
            await add_item(uow, "sneaky")

    with pytest.raises(RuntimeError, match="read-only"):
        async with uow(read_only=True):
            await uow.commit()

    assert await count_items(uow) == 0
