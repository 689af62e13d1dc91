"""The example resource: an item with a title and an optional description."""

from sqlalchemy import {% if cookiecutter.use_auth %}ForeignKey, {% endif %}String, Text
from sqlalchemy.orm import Mapped, mapped_column

from {{ cookiecutter.package_name }}.db.base import NEVER_REUSE_IDS, Base, TimestampMixin

TITLE_MAX_LENGTH = 200


class Item(TimestampMixin, Base):
    __tablename__ = "item"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str | None] = mapped_column(Text, default=None)
{%- if cookiecutter.use_auth %}
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
{%- endif %}
