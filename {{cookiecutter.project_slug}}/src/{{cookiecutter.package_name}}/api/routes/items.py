"""`/api/v1/items`: the example resource; each caller manages their own items."""

from fastapi import APIRouter, Response, status

from {{ cookiecutter.package_name }}.api.auth_deps import CurrentUser
from {{ cookiecutter.package_name }}.api.deps import ItemServiceDep, PageDep
from {{ cookiecutter.package_name }}.api.responses import (
    API_ERRORS,
    UNAUTHORIZED,
    UNPARSEABLE_BODY,
    Responses,
)
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody, Id, Page
from {{ cookiecutter.package_name }}.schemas.item import ItemCreate, ItemRead, ItemUpdate

router = APIRouter(prefix="/items", tags=["items"], responses=API_ERRORS | UNAUTHORIZED)
NOT_FOUND: Responses = {404: {"model": ErrorBody, "description": "No such item"}}


@router.get("/")
async def list_items(items: ItemServiceDep, page: PageDep, user: CurrentUser) -> Page[ItemRead]:
    return await items.list_items(actor=user, page=page)


@router.post("/", status_code=status.HTTP_201_CREATED, responses=UNPARSEABLE_BODY)
async def create_item(data: ItemCreate, items: ItemServiceDep, user: CurrentUser) -> ItemRead:
    return await items.create_item(actor=user, data=data)


@router.get("/{item_id}", responses=NOT_FOUND)
async def get_item(item_id: Id, items: ItemServiceDep, user: CurrentUser) -> ItemRead:
    return await items.get_item(actor=user, item_id=item_id)


@router.patch("/{item_id}", responses=NOT_FOUND | UNPARSEABLE_BODY)
async def update_item(
    item_id: Id, data: ItemUpdate, items: ItemServiceDep, user: CurrentUser
) -> ItemRead:
    return await items.update_item(actor=user, item_id=item_id, data=data)


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
)
async def delete_item(item_id: Id, items: ItemServiceDep, user: CurrentUser) -> None:
    await items.delete_item(actor=user, item_id=item_id)
