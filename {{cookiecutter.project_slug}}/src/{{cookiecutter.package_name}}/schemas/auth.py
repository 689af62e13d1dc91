"""Authentication responses."""

from typing import Literal

from pydantic import BaseModel


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  # the OAuth2 token type
    expires_in: int
