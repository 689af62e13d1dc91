"""`/api/v1/admin`: user management and the audit log, each route permission-checked."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from {{ cookiecutter.package_name }}.api.auth_deps import AdminServiceDep, require
from {{ cookiecutter.package_name }}.api.deps import PageDep
from {{ cookiecutter.package_name }}.api.responses import (
    API_ERRORS,
    RATE_LIMITED,
    UNAUTHORIZED,
    UNPARSEABLE_BODY,
    Responses,
)
from {{ cookiecutter.package_name }}.core.permissions import Permission
from {{ cookiecutter.package_name }}.schemas.admin import (
    AdminUserUpdate,
    AuditFilters,
    AuditLogRead,
    UserFilters,
)
from {{ cookiecutter.package_name }}.schemas.auth import StepUpRequest
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody, Id, Page
from {{ cookiecutter.package_name }}.schemas.user import UserRead
from {{ cookiecutter.package_name }}.services.auth import Principal

router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    responses={403: {"model": ErrorBody, "description": "Permission missing"}}
    | UNAUTHORIZED
    | API_ERRORS,
)
NOT_FOUND: Responses = {404: {"model": ErrorBody, "description": "No such user"}}


@router.get("/users/", dependencies=[require(Permission.USERS_READ)])
async def list_users(
    admin: AdminServiceDep, page: PageDep, filters: Annotated[UserFilters, Depends()]
) -> Page[UserRead]:
    return await admin.list_users(filters=filters, page=page)


@router.get("/users/{user_id}", responses=NOT_FOUND, dependencies=[require(Permission.USERS_READ)])
async def get_user(user_id: Id, admin: AdminServiceDep) -> UserRead:
    return await admin.get_user(user_id)


@router.patch(
    "/users/{user_id}",
    responses=NOT_FOUND
    | {409: {"model": ErrorBody, "description": "Last active admin"}}
    | UNPARSEABLE_BODY,
)
async def update_user(
    user_id: Id,
    data: AdminUserUpdate,
    admin: AdminServiceDep,
    principal: Annotated[Principal, require(Permission.USERS_WRITE)],
) -> UserRead:
    return await admin.update_user(actor_id=principal.user.id, user_id=user_id, data=data)


@router.delete(
    "/users/{user_id}/mfa",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND
    | {409: {"model": ErrorBody, "description": "MFA is not set up"}}
    | {403: {"model": ErrorBody, "description": "Permission missing, or the caller's own factor"}}
    | RATE_LIMITED
    | UNPARSEABLE_BODY,
)
async def reset_user_mfa(
    user_id: Id,
    step_up: StepUpRequest,
    admin: AdminServiceDep,
    principal: Annotated[Principal, require(Permission.USERS_WRITE)],
) -> None:
    """Remove a user's second factor (and recovery codes), for a user who lost both. The
    body carries the acting admin's own current password."""
    await admin.reset_mfa(actor=principal.user, password=step_up.password, user_id=user_id)


@router.get("/audit-logs/", dependencies=[require(Permission.AUDIT_READ)])
async def list_audit_logs(
    admin: AdminServiceDep, page: PageDep, filters: Annotated[AuditFilters, Depends()]
) -> Page[AuditLogRead]:
    return await admin.list_audit_logs(filters=filters, page=page)
