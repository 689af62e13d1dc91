"""Generic storage operations shared by every repository.

Repositories speak storage (`get`, `add`, `list`, `delete`), may flush to
obtain generated values, and never commit: the Unit of Work owns the transaction.
"""

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.core.errors import ConflictError
from {{ cookiecutter.package_name }}.db.base import Base

ModelT = TypeVar("ModelT", bound=Base)


class BaseRepository(Generic[ModelT]):
    model: ClassVar[type[Base]]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, entity_id: int) -> ModelT | None:
        return await self.session.get(self.model, entity_id)  # type: ignore[return-value]

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

    async def _page(self, query: Select, *, limit: int, offset: int) -> tuple[Sequence[Any], int]:
        """The entities `query` selects, for one page, and the total count."""
        rows, total = await self._page_of_rows(query, limit=limit, offset=offset)
        return [row[0] for row in rows], total

    async def _page_of_rows(
        self, query: Select, *, limit: int, offset: int
    ) -> tuple[Sequence[Row], int]:
        """Rows of `query` for one page and the total count, in one round trip.

        The total rides along as a window function (each row also has a `total`
        column); only a page past the end (no rows to carry it) needs a separate count.
        """
        paged = query.add_columns(func.count().over().label("total")).limit(limit).offset(offset)
        rows = (await self.session.execute(paged)).all()
        if rows:
            return rows, rows[0].total
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        return [], total or 0

    def _conflict(self, exc: IntegrityError) -> ConflictError:
        """Translate a constraint violation; subclasses name the constraint they know."""
        return ConflictError()
