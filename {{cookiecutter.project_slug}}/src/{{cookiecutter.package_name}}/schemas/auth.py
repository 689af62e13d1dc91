"""Authentication requests and responses."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from {{ cookiecutter.package_name }}.schemas.user import Email, Password

# Generated refresh tokens are 43 characters; anything far longer is not one of ours.
RefreshTokenStr = Field(min_length=1, max_length=256)


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  # the OAuth2 token type
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = RefreshTokenStr


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = RefreshTokenStr
    new_password: Password


class AcceptedRead(BaseModel):
    detail: str


class LogoutRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = RefreshTokenStr
