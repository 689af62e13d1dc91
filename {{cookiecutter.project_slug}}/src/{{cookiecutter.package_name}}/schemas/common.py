"""Shapes shared by every resource: pages of results and error bodies, and the constrained
types that keep input within what the database can store."""

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

MAX_PAGE_SIZE = 100
# The largest value of an `Integer` column (PostgreSQL's int4): every id, and every offset
# (no table holds more rows than it has ids). Beyond it, the database errs instead of
# finding nothing.
MAX_ID = 2**31 - 1

T = TypeVar("T")

# Text the database can store: PostgreSQL refuses NUL characters (SQLite keeps them), so
# every variant refuses them here. A pattern rather than a validator, so the OpenAPI schema
# says it too.
SafeStr = Annotated[str, Field(pattern=r"^[^\x00]*$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _refuse_null(value: T | None) -> T:
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


# A field of a partial update whose column is NOT NULL: it may be left out (the default None
# means "not sent", and defaults are not validated), but a null sent for it is refused.
Omittable = Annotated[T | SkipJsonSchema[None], AfterValidator(_refuse_null)]


def _as_utc(value: datetime) -> datetime:
    # Python's datetimes end at year 9999: a bound near that edge may not exist in UTC.
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once in UTC") from None


# An aware datetime in UTC; one without an offset is taken to be in UTC already.
UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]


class Page(BaseModel, Generic[T]):
    """One page of a list: the rows plus what is needed to fetch the next."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    model_config = ConfigDict(frozen=True)

    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=MAX_ID)


class ErrorBody(BaseModel):
    """Every error answer has this shape."""

    detail: str | list[dict[str, Any]]
    code: str
