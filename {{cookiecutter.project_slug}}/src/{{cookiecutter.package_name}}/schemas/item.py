"""Item request and response models."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from {{ cookiecutter.package_name }}.models.item import TITLE_MAX_LENGTH
from {{ cookiecutter.package_name }}.schemas.common import Omittable, SafeStr

DESCRIPTION_MAX_LENGTH = 10_000

Title = Annotated[SafeStr, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
Description = Annotated[SafeStr, Field(max_length=DESCRIPTION_MAX_LENGTH)]


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    description: Description | None = None


class ItemUpdate(BaseModel):
    """A partial update: only the fields sent are changed; null clears the description."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Omittable[Title] = None
    description: Description | None = None


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None
{%- if cookiecutter.use_auth %}
    owner_id: int
{%- endif %}
    created_at: datetime
    updated_at: datetime
