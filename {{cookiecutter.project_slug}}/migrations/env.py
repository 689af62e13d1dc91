"""Alembic environment: async engine, URL from settings, batch mode for SQLite."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from {{ cookiecutter.package_name }}.core.config import settings_or_exit
from {{ cookiecutter.package_name }}.db.session import create_engine, transactional
from {{ cookiecutter.package_name }}.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    # Tests point Alembic at their own database through the config; everyone
    # else gets DATABASE_URL from the settings.
    return config.get_main_option("sqlalchemy.url") or settings_or_exit().database_url


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def do_run_migrations(connection: Connection) -> None:
    configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    # No statement timeout: a migration may rightly run longer than any request should.
    settings = settings_or_exit().model_copy(
        update={"database_url": database_url(), "db_statement_timeout": 0}
    )
    engine = create_engine(settings)
    try:
        # One transaction for the whole run: on PostgreSQL a failed migration leaves nothing.
        async with transactional(engine).connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
elif (connection := config.attributes.get("connection")) is not None:
    do_run_migrations(connection)
else:
    asyncio.run(run_async_migrations())
