"""Injected dependencies, as `Annotated` aliases so routes read like sentences.

They are all `async def`, even those that never await: FastAPI runs a plain
`def` dependency in a worker thread, a hop that costs more than the work here.

Nothing here commits: code after `yield` in a dependency runs after the response
is sent, so a failed commit there would be reported as success. Services open
and commit their own Unit of Work instead.
"""

from typing import Annotated

from fastapi import Depends, Query, Request

from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork, UnitOfWork
from {{ cookiecutter.package_name }}.schemas.common import PageParams
from {{ cookiecutter.package_name }}.services.item import ItemService

# Where a request keeps its Unit of Work, so the route can close it (`api.router.UnitOfWorkRoute`).
UOW_SCOPE_KEY = "{{ cookiecutter.package_name }}.uow"


async def get_uow(request: Request) -> UnitOfWork:
    """The request's one Unit of Work: FastAPI gives every dependency of a request the same
    one, so a read before the use case's (the caller's session, say) and the use case's own
    can share a connection (see `db.uow`)."""
    state = request.app.state
    uow = SqlAlchemyUnitOfWork(
        state.session_factory, state.read_session_factory, writer_lock=state.writer_lock
    )
    request.scope[UOW_SCOPE_KEY] = uow
    return uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
# A query-parameter model, validated in line: `Depends()` on a class would call it in a worker
# thread. The OpenAPI description is the same.
PageDep = Annotated[PageParams, Query()]


async def get_item_service(uow: UowDep) -> ItemService:
    return ItemService(uow)


ItemServiceDep = Annotated[ItemService, Depends(get_item_service)]
