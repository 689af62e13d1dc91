"""Admin requests, filters and the audit log's read model."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from {{ cookiecutter.package_name }}.core.permissions import Role


class AdminUserUpdate(BaseModel):
    """What an admin may change about a user: the role and whether the account is active."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: bool | None = None


class UserFilters(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: str | None = Field(default=None, max_length=320, description="part of the email")
    role: Role | None = None
    is_active: bool | None = None


class AuditFilters(BaseModel):
    model_config = ConfigDict(frozen=True)

    actor_id: int | None = None
    action: str | None = Field(default=None, max_length=64)
    entity_type: str | None = Field(default=None, max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    since: datetime | None = Field(default=None, description="inclusive lower bound")
    until: datetime | None = Field(default=None, description="exclusive upper bound")


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
