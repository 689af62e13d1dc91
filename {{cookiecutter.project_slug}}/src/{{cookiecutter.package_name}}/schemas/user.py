"""User request and response models. Passwords only ever travel inwards."""

import unicodedata
from datetime import datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field

from {{ cookiecutter.package_name }}.models.user import EMAIL_MAX_LENGTH
from {{ cookiecutter.package_name }}.schemas.common import SafeStr

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
FULL_NAME_MAX_LENGTH = 200


def normalize_email(email: str) -> str:
    """The one form of an address that registration, login and reset all compare: NFKC
    (fullwidth and decomposed letters become their usual form), stripped, lower-case, then as
    email-validator writes it (IDNA maps some characters of a domain to others), which is the
    form registration stores. Text that is no address is only folded: it then matches no
    account, and fails like a wrong password."""
    folded = unicodedata.normalize("NFKC", email).strip().lower()
    try:
        return validate_email(folded, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return folded


def _normalize_if_text(value: object) -> object:
    # Anything that is not a string is left for EmailStr to refuse with a 422.
    return normalize_email(value) if isinstance(value, str) else value


# email-validator refuses NUL characters itself, and addresses over 254 characters.
Email = Annotated[EmailStr, Field(max_length=EMAIL_MAX_LENGTH), BeforeValidator(_normalize_if_text)]
Password = Annotated[str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)]
FullName = Annotated[SafeStr, Field(max_length=FULL_NAME_MAX_LENGTH)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password
    full_name: FullName | None = None


class UserUpdate(BaseModel):
    """Changes to one's own profile. A new password needs the current one."""

    model_config = ConfigDict(extra="forbid")

    full_name: FullName | None = None
    current_password: str | None = Field(default=None, max_length=PASSWORD_MAX_LENGTH)
    new_password: Password | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str | None
    is_active: bool
    role: str
    created_at: datetime
