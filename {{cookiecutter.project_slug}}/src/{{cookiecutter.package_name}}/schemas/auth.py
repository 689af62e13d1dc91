"""Authentication requests and responses."""

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from {{ cookiecutter.package_name }}.models.user import EMAIL_MAX_LENGTH
from {{ cookiecutter.package_name }}.schemas.common import SafeStr
from {{ cookiecutter.package_name }}.schemas.user import PASSWORD_MAX_LENGTH, Email, Password

# Generated refresh tokens are 43 characters; anything far longer is not one of ours.
RefreshTokenStr = Field(min_length=1, max_length=256)


GRANT_FIELDS = {"password": ("username", "password"), "refresh_token": ("refresh_token",)}


class TokenRequest(BaseModel):
    """The token endpoint's form (RFC 6749): `grant_type=password` with `username` (the email)
    and `password`, or `grant_type=refresh_token` with `refresh_token`. A form without
    `grant_type` is a password grant, as FastAPI's own form treats it. The username is not an
    `EmailStr`: a login name that is no address fails like a wrong password. Every field is
    bounded: each reaches a database lookup, a rate-limit key or an audit row. Other OAuth2
    fields (`scope`, `client_id`) are ignored."""

    grant_type: Literal["password", "refresh_token"] = "password"
    username: Annotated[SafeStr, Field(max_length=EMAIL_MAX_LENGTH)] = ""
    password: Annotated[
        str, Field(max_length=PASSWORD_MAX_LENGTH, json_schema_extra={"format": "password"})
    ] = ""
    refresh_token: Annotated[str, Field(max_length=256)] = ""

    @model_validator(mode="after")
    def has_the_grants_fields(self) -> Self:
        missing = [name for name in GRANT_FIELDS[self.grant_type] if not getattr(self, name)]
        if missing:
            raise ValueError(f"grant_type={self.grant_type} needs {' and '.join(missing)}")
        return self


class TokenErrorBody(BaseModel):
    """An error of the token endpoint: RFC 6749's `error` and `error_description`, which OAuth2
    client libraries read, beside the `detail` and `code` of every other error."""

    error: str
    error_description: str
    detail: str | list[dict[str, Any]]
    code: str


class MfaRequiredBody(TokenErrorBody):
    """A correct password for an account with two-factor authentication on: finish the login
    at `POST /auth/mfa/verify` with `mfa_token` and a code."""

    mfa_token: str
    expires_in: int


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
    """What a correct password gives when the account has two-factor authentication on."""

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
