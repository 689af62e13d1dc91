"""Initial schema: {% if cookiecutter.use_auth %}users and {% endif %}items.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 00:01:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
{%- if cookiecutter.use_auth %}
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
{%- endif %}
    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
{%- if cookiecutter.use_auth %}
        sa.Column("owner_id", sa.Integer(), nullable=False),
{%- endif %}
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
{%- if cookiecutter.use_auth %}
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_item_owner_id_user"), ondelete="CASCADE"
        ),
{%- endif %}
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
    )
{%- if cookiecutter.use_auth %}
    op.create_index(op.f("ix_item_owner_id"), "item", ["owner_id"], unique=False)
{%- endif %}


def downgrade() -> None:
{%- if cookiecutter.use_auth %}
    op.drop_index(op.f("ix_item_owner_id"), table_name="item")
{%- endif %}
    op.drop_table("item")
{%- if cookiecutter.use_auth %}
    op.drop_table("user")
{%- endif %}
