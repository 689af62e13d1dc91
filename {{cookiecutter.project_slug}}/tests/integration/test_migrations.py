"""Migrations against the real database: they round-trip and match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
from {{ cookiecutter.package_name }}.models import Base
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.models.user import User
{%- endif %}
from tests.conftest import run_alembic


async def alembic(engine: AsyncEngine, *args: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(run_alembic, *args)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


@pytest.mark.usefixtures("session_factory")
async def test_downgrade_to_base_and_upgrade_again(engine: AsyncEngine):
    """Every migration can be undone and redone: head -> base -> head."""
    expected = set(Base.metadata.tables)

    await alembic(engine, "downgrade", "base")
    assert not (await table_names(engine)) & expected

    await alembic(engine, "upgrade", "head")
    assert expected <= await table_names(engine)


async def test_never_reuse_ids_migration_keeps_every_row(
    engine: AsyncEngine, uow: SqlAlchemyUnitOfWork
):
    """Rebuilding the tables for AUTOINCREMENT (0006, SQLite) keeps every row, and the rows
    that refer to a rebuilt table, and ids go on from the highest one."""
    await alembic(engine, "downgrade", "0006-1")
    async with uow:
{%- if cookiecutter.use_auth %}
        owner = await uow.users.add(User(email="owner@example.com", hashed_password="x"))
        kept = await uow.items.add({"title": "kept", "owner_id": owner.id})
{%- else %}
        kept = await uow.items.add({"title": "kept"})
{%- endif %}
        await uow.commit()

    await alembic(engine, "upgrade", "head")

    async with uow:
        assert (await uow.items.get(kept["id"])) is not None
{%- if cookiecutter.use_auth %}
        newer = await uow.items.add({"title": "newer", "owner_id": owner.id})
{%- else %}
        newer = await uow.items.add({"title": "newer"})
{%- endif %}
        await uow.commit()
    assert newer["id"] > kept["id"]


async def test_models_match_migrations(engine: AsyncEngine):
    """Autogenerate finds no difference between the migrated schema and the models."""
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )

    assert diff == []
