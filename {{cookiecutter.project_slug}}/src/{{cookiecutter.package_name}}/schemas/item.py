"""Item request and response models."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from {{ cookiecutter.package_name }}.models.item import TITLE_MAX_LENGTH

DESCRIPTION_MAX_LENGTH = 10_000


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)


class ItemUpdate(BaseModel):
    """A partial update: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX_LENGTH)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)


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
