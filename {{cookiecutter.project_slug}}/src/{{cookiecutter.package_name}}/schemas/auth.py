"""Authentication requests and responses."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from {{ cookiecutter.package_name }}.models.user import EMAIL_MAX_LENGTH
from {{ cookiecutter.package_name }}.schemas.common import SafeStr
from {{ cookiecutter.package_name }}.schemas.user import PASSWORD_MAX_LENGTH, Email, Password

# Generated refresh tokens are 43 characters; anything far longer is not one of ours.
RefreshTokenStr = Field(min_length=1, max_length=256)


class LoginForm(BaseModel):
    """The OAuth2 password flow's form; `username` is the email. Not an `EmailStr`: a login
    name that is no address fails like a wrong password. Bounded, because the name reaches a
    database lookup, a rate-limit key and an audit row; the other OAuth2 fields (`grant_type`,
    `scope`, ...) are ignored."""

    username: Annotated[SafeStr, Field(max_length=EMAIL_MAX_LENGTH)]
    password: Annotated[
        str, Field(max_length=PASSWORD_MAX_LENGTH, json_schema_extra={"format": "password"})
    ]


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


# Six digits from the app, or a recovery code (`k7m2q-x9d4p`, any case, spaces allowed).
MfaCodeStr = Field(min_length=6, max_length=32)


class MfaChallenge(BaseModel):
    """The answer to a correct password when the account has two-factor authentication on."""

    mfa_required: Literal[True] = True
    mfa_token: str
    expires_in: int


class MfaVerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mfa_token: str = Field(min_length=1, max_length=2048)
    code: str = MfaCodeStr


class StepUpRequest(BaseModel):
    """The caller's current password, asked again before a change to how an account is
    protected: an access token alone is not enough."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=PASSWORD_MAX_LENGTH, json_schema_extra={"format": "password"})


class MfaCodeRequest(StepUpRequest):
    code: str = MfaCodeStr


class MfaSetupRead(BaseModel):
    """The new secret, to type in, and the same as a URI to show as a QR code."""

    secret: str
    otpauth_uri: str


class RecoveryCodesRead(BaseModel):
    """Shown once: each code replaces one authenticator code, once."""

    recovery_codes: list[str]


class MfaStatusRead(BaseModel):
    enabled: bool
    recovery_codes_left: int
