"""Unit of Work semantics on the real database: commit, implicit rollback, rollback on error."""

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.models.user import User
{%- endif %}
from tests.pool import all_returned, queue_pool, watching


async def count_items(uow: SqlAlchemyUnitOfWork) -> int:
    async with uow:
        _, total = await uow.items.list(limit=1, offset=0)
        return total


async def add_item(uow: SqlAlchemyUnitOfWork, title: str) -> dict[str, Any]:
{%- if cookiecutter.use_auth %}
    owner = await uow.users.add(User(email=f"{title}@example.com", hashed_password="x"))
    return await uow.items.add({"title": title, "owner_id": owner.id})
{%- else %}
    return await uow.items.add({"title": title})
{%- endif %}


async def test_commit_persists_work(uow: SqlAlchemyUnitOfWork):
    """Work committed inside the block is visible to the next Unit of Work."""
    async with uow:
        item = await add_item(uow, "kept")
        await uow.commit()

    async with uow:
        stored = await uow.items.get(item["id"])
        assert stored is not None
        assert stored["title"] == "kept"


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
        visible = await uow.items.get(item["id"])
        assert visible is not None
        assert visible["title"] == "visible"


async def test_read_only_unit_of_work_refuses_writes(uow: SqlAlchemyUnitOfWork):
    """Writing or committing in a read-only block fails, and nothing is stored."""
    with pytest.raises(RuntimeError, match="read-only"):
        async with uow(read_only=True):
            await add_item(uow, "sneaky")

    with pytest.raises(RuntimeError, match="read-only"):
        async with uow(read_only=True):
            await uow.commit()

    assert await count_items(uow) == 0


@pytest.mark.parametrize(
    "write",
    [
        lambda uow, item_id: uow.items.update_by_id(item_id, {"title": "changed"}),
        lambda uow, item_id: uow.items.delete_by_id(item_id),
    ],
    ids=["update", "delete"],
)
async def test_read_only_unit_of_work_refuses_statements_that_write(
    uow: SqlAlchemyUnitOfWork, write
):
    """An UPDATE or DELETE statement (not only an ORM flush) in a read-only block fails, and
    the row is as it was: a read-only block runs without a transaction to roll back."""
    async with uow:
        item = await add_item(uow, "unchanged")
        await uow.commit()

    with pytest.raises(RuntimeError, match="read-only"):
        async with uow(read_only=True):
            await write(uow, item["id"])

    async with uow:
        assert await uow.items.get(item["id"]) == item


async def read_a_page(uow: SqlAlchemyUnitOfWork) -> int:
    async with uow(read_only=True):
        _, total = await uow.items.list(limit=1, offset=0)
        return total


async def test_read_only_blocks_in_a_row_share_one_connection(
    uow: SqlAlchemyUnitOfWork, engine: AsyncEngine
):
    """A read-only block that starts before the task waits for anything takes over the last
    one's connection: one checkout (and one pre-ping) for both."""
    assert await all_returned(engine)
    with watching(engine) as pool:
        await read_a_page(uow)
        await read_a_page(uow)

    assert pool.checkouts == 1
    assert await all_returned(engine)


async def test_waiting_returns_a_read_only_blocks_connection(
    uow: SqlAlchemyUnitOfWork, engine: AsyncEngine
):
    """Once the task waits (here for a timer) the parked connection goes back to the pool, and
    the next read-only block borrows one of its own."""
    assert await all_returned(engine)
    with watching(engine) as pool:
        await read_a_page(uow)
        await asyncio.sleep(0)
        assert await all_returned(engine)
        await read_a_page(uow)

    assert pool.checkouts == 2


async def test_a_writing_block_returns_the_parked_connection_before_taking_its_own(
    uow: SqlAlchemyUnitOfWork, engine: AsyncEngine
):
    """Never two connections at once: a task waiting for a second one while holding the first
    could deadlock a small pool."""
    assert await all_returned(engine)
    with watching(engine) as pool:
        await read_a_page(uow)
        async with uow:
            await add_item(uow, "written")
            await uow.commit()

    assert (pool.checkouts, pool.most_out) == (2, 1)
    assert await count_items(uow) == 1


async def test_a_failed_read_only_block_returns_its_connection_at_once(
    uow: SqlAlchemyUnitOfWork, engine: AsyncEngine
):
    """A block left through an exception is not parked: its connection is back on exit."""

    async def fail_reading() -> None:
        async with uow(read_only=True):
            await uow.items.list(limit=1, offset=0)
            raise RuntimeError("boom")

    assert await all_returned(engine)
    with pytest.raises(RuntimeError, match="boom"):
        await fail_reading()

    assert queue_pool(engine).checkedout() == 0


@pytest.mark.parametrize(
    ("outer_read_only", "inner_read_only"),
    [(False, False), (False, True), (True, False), (True, True)],
)
async def test_a_block_inside_an_open_block_is_refused(
    uow: SqlAlchemyUnitOfWork, outer_read_only: bool, inner_read_only: bool
):
    """Blocks do not nest: entering one while another is open raises at once (on SQLite,
    where a writing block holds the writer lock, waiting for it would never end), and the
    open block keeps its session and can still finish its work."""
    async with asyncio.timeout(5), uow(read_only=outer_read_only):
        with pytest.raises(RuntimeError, match="already open"):
            async with uow(read_only=inner_read_only):
                pass
        _, total = await uow.items.list(limit=1, offset=0)
    async with asyncio.timeout(5), uow:  # the writer lock, if any, was released
        pass

    assert total == 0


async def test_a_block_taking_over_a_connection_reads_afresh(uow: SqlAlchemyUnitOfWork):
    """The connection is reused, not what was read: the second block reads its own copy."""
    async with uow:
        item = await add_item(uow, "read twice")
        await uow.commit()

    async with uow(read_only=True):
        first = await uow.items.get(item["id"])
    async with uow(read_only=True):
        second = await uow.items.get(item["id"])

    assert first is not None
    assert second is not None
    assert second == first
    assert second is not first
