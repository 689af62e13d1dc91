"""A registered user. The password is stored only as an Argon2id hash; the role
decides what they may do (see core/permissions.py)."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from {{ cookiecutter.package_name }}.core.permissions import Role
from {{ cookiecutter.package_name }}.db.base import NEVER_REUSE_IDS, Base, TimestampMixin

EMAIL_MAX_LENGTH = 320


class User(TimestampMixin, Base):
    __tablename__ = "user"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str | None] = mapped_column(String(200), default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
    role: Mapped[str] = mapped_column(String(32), default=Role.USER, server_default=Role.USER)
