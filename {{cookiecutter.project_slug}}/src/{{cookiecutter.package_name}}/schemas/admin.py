"""Admin requests, filters and the audit log's read model."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from {{ cookiecutter.package_name }}.core.permissions import Role
from {{ cookiecutter.package_name }}.schemas.common import Id, Omittable, SafeStr, UtcDateTime


class AdminUserUpdate(BaseModel):
    """What an admin may change about a user: the role and whether the account is active."""

    model_config = ConfigDict(extra="forbid")

    role: Omittable[Role] = None
    is_active: Omittable[bool] = None


class UserFilters(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: SafeStr | None = Field(default=None, max_length=320, description="part of the email")
    role: Role | None = None
    is_active: bool | None = None


class AuditFilters(BaseModel):
    model_config = ConfigDict(frozen=True)

    actor_id: Id | None = None
    action: SafeStr | None = Field(default=None, max_length=64)
    entity_type: SafeStr | None = Field(default=None, max_length=32)
    entity_id: SafeStr | None = Field(default=None, max_length=64)
    since: UtcDateTime | None = Field(
        default=None, description="inclusive lower bound; UTC if it has no offset"
    )
    until: UtcDateTime | None = Field(
        default=None, description="exclusive upper bound; UTC if it has no offset"
    )


class AuditLogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime
    actor_id: int | None
    action: str
    entity_type: str | None
    entity_id: str | None
    request_id: str | None
    client_address: str | None
    details: dict[str, Any]
