"""Generic storage operations shared by every repository.

Repositories speak storage (`get`, `add`, `list`, `delete`), may flush to
obtain generated values, and never commit: the Unit of Work owns the transaction.
"""

from collections.abc import Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import CursorResult, Executable, Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.core.errors import ConflictError
from {{ cookiecutter.package_name }}.db.base import Base

ModelT = TypeVar("ModelT", bound=Base)


def paged(query: Select[Any]) -> Select[Any]:
    """`query` with bound `limit` and `offset` and the total as a window-function column.

    For hot queries, build it once at import: constructing a statement and its cache key
    costs more than SQLAlchemy's cached compilation of it (docs/architecture.md, decision 26).
    """
    total = func.count().over().label("total")
    return query.add_columns(total).limit(bindparam("limit")).offset(bindparam("offset"))


async def rows_affected(session: AsyncSession, statement: Executable) -> int:
    """Run an UPDATE or DELETE and return how many rows it matched.

    Such a statement always yields a CursorResult, but AsyncSession.execute is typed to
    return its base class, Result, which has no rowcount.
    """
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount


async def page_of_rows(
    session: AsyncSession, statement: Select[Any], *, limit: int, offset: int, **params: Any
) -> tuple[list[dict[str, Any]], int]:
    """One page of a `paged()` column query as plain dicts (the cheapest input for a schema to
    validate), and the total."""
    params = {**params, "limit": limit, "offset": offset}
    result = await session.execute(statement, params)
    names = tuple(result.keys())  # once: Row._fields builds a new tuple on every call
    rows = result.all()
    if rows:
        # Not strict: names and rows come from the same result, so their lengths agree.
        return [dict(zip(names, row, strict=False)) for row in rows], rows[0].total
    unpaged = statement.limit(None).offset(None).subquery()
    total = await session.scalar(select(func.count()).select_from(unpaged), params)
    return [], total or 0


class BaseRepository(Generic[ModelT]):
    # Set by each subclass to the model it stores (a class attribute: a ClassVar cannot
    # name ModelT).
    model: type[ModelT]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, entity_id: int) -> ModelT | None:
        return await self.session.get(self.model, entity_id)

    async def add(self, entity: ModelT) -> ModelT:
        """Stage `entity` and flush, so its id and defaults are known."""
        self.session.add(entity)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise self._conflict(exc) from exc
        return entity

    async def update(self, entity: ModelT, changes: dict[str, Any]) -> ModelT:
        for field, value in changes.items():
            setattr(entity, field, value)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise self._conflict(exc) from exc
        return entity

    async def delete(self, entity: ModelT) -> None:
        await self.session.delete(entity)
        await self.session.flush()

    async def _page(
        self, query: Select[Any], *, limit: int, offset: int
    ) -> tuple[Sequence[Any], int]:
        """The entities `query` selects for one page, and the total count, in one round trip.

        The total rides along as a window function; only a page past the end
        (no rows to carry it) needs a separate count.
        """
        rows = (await self.session.execute(paged(query), {"limit": limit, "offset": offset})).all()
        if rows:
            return [row[0] for row in rows], rows[0].total
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        return [], total or 0

    def _conflict(self, exc: IntegrityError) -> ConflictError:
        """Translate a constraint violation; subclasses name the constraint they know."""
        return ConflictError()
