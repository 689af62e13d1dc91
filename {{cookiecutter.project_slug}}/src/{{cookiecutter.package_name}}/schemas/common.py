"""Shapes shared by every resource: pages of results and error bodies."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

MAX_PAGE_SIZE = 100

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: the rows plus what is needed to fetch the next."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    model_config = ConfigDict(frozen=True)

    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0)


class ErrorBody(BaseModel):
    """Every error answer has this shape."""

    detail: str | list[dict]
    code: str
