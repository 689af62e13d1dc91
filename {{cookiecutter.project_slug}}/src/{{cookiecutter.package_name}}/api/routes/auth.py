"""`/api/v1/auth`: password login (OAuth2 password flow; `username` is the email)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from {{ cookiecutter.package_name }}.api.deps import AuthServiceDep
from {{ cookiecutter.package_name }}.schemas.auth import TokenRead
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", responses={401: {"model": ErrorBody, "description": "Bad credentials"}})
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], auth: AuthServiceDep
) -> TokenRead:
    return await auth.login(email=form.username.lower(), password=form.password)
