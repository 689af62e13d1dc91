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


class MfaCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

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
