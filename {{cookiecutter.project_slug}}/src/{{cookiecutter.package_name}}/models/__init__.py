"""SQLAlchemy models. Importing this package registers every table on `Base.metadata`."""

from {{ cookiecutter.package_name }}.db.base import Base
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.models.audit import AuditLog
{%- endif %}
from {{ cookiecutter.package_name }}.models.item import Item
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.models.mfa import MfaFactor, MfaRecoveryCode
from {{ cookiecutter.package_name }}.models.password_reset import PasswordResetToken
from {{ cookiecutter.package_name }}.models.session import AuthSession, RefreshToken
from {{ cookiecutter.package_name }}.models.user import User
{%- endif %}

__all__ = [
{%- if cookiecutter.use_auth %}
    "AuditLog",
    "AuthSession",
{%- endif %}
    "Base",
    "Item",
{%- if cookiecutter.use_auth %}
    "MfaFactor",
    "MfaRecoveryCode",
    "PasswordResetToken",
    "RefreshToken",
    "User",
{%- endif %}
]
