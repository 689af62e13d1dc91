"""Never hand out an id twice: SQLite tables with integer ids get AUTOINCREMENT.

Without it SQLite gives a new row max(id) + 1, so deleting the newest row frees its id for
the next one. PostgreSQL's identity columns never reuse a value: there this does nothing.

Revision ID: 0006
Revises: {% if cookiecutter.use_auth %}0005{% else %}0001{% endif %}
Create Date: 2026-12-02 00:06:00+00:00
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from alembic import op

revision: str = "0006"
{%- if cookiecutter.use_auth %}
down_revision: str | Sequence[str] | None = "0005"
{%- else %}
down_revision: str | Sequence[str] | None = "0001"
{%- endif %}
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

{%- if cookiecutter.use_auth %}

TABLES = ("user", "item", "refresh_token", "password_reset_token", "audit_log", "mfa_recovery_code")
{%- else %}

TABLES = ("item",)
{%- endif %}


def upgrade() -> None:
    rebuild(autoincrement=True)


def downgrade() -> None:
    rebuild(autoincrement=False)


def rebuild(*, autoincrement: bool) -> None:
    """SQLite cannot add AUTOINCREMENT to a table: copy each into a new one that has it."""
    if op.get_context().dialect.name != "sqlite":
        return
    with foreign_keys_off():
        for table in TABLES:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
            ):
                pass


@contextmanager
def foreign_keys_off() -> Iterator[None]:
    """Rebuild with foreign keys off, as SQLite's documentation prescribes: with them on,
    dropping the old `user` table deletes every row that refers to it (ON DELETE CASCADE).

    SQLite ignores the pragma inside a transaction, so the one Alembic began is committed
    first (the migrations before this one stay applied) and a new one is begun afterwards.
    """
    bind = op.get_bind()
    if not bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        yield
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
        if bind.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
            raise RuntimeError("rebuilt tables hold rows whose foreign key points nowhere")
        bind.exec_driver_sql("COMMIT")
    except BaseException:
        bind.exec_driver_sql("ROLLBACK")
        raise
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        bind.exec_driver_sql("BEGIN IMMEDIATE")
