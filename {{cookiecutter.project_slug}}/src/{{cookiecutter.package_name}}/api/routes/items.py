"""`/api/v1/items`: the example resource."""

from fastapi import APIRouter, Response, status

{% if cookiecutter.use_auth -%}
from {{ cookiecutter.package_name }}.api.auth_deps import CurrentUser
{% endif -%}
from {{ cookiecutter.package_name }}.api.deps import ItemServiceDep, PageDep
from {{ cookiecutter.package_name }}.api.responses import API_ERRORS, {% if cookiecutter.use_auth %}UNAUTHORIZED, {% endif %}UNPARSEABLE_BODY, Responses
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody, Id, Page
from {{ cookiecutter.package_name }}.schemas.item import ItemCreate, ItemRead, ItemUpdate

{% if cookiecutter.use_auth -%}
router = APIRouter(prefix="/items", tags=["items"], responses=API_ERRORS | UNAUTHORIZED)
{%- else -%}
router = APIRouter(prefix="/items", tags=["items"], responses=API_ERRORS)
{%- endif %}
NOT_FOUND: Responses = {404: {"model": ErrorBody, "description": "No such item"}}


@router.get("/")
async def list_items(items: ItemServiceDep, page: PageDep{% if cookiecutter.use_auth %}, user: CurrentUser{% endif %}) -> Page[ItemRead]:
    return await items.list_items({% if cookiecutter.use_auth %}actor=user, {% endif %}page=page)


@router.post("/", status_code=status.HTTP_201_CREATED, responses=UNPARSEABLE_BODY)
async def create_item(data: ItemCreate, items: ItemServiceDep{% if cookiecutter.use_auth %}, user: CurrentUser{% endif %}) -> ItemRead:
    return await items.create_item({% if cookiecutter.use_auth %}actor=user, {% endif %}data=data)


@router.get("/{item_id}", responses=NOT_FOUND)
async def get_item(item_id: Id, items: ItemServiceDep{% if cookiecutter.use_auth %}, user: CurrentUser{% endif %}) -> ItemRead:
    return await items.get_item({% if cookiecutter.use_auth %}actor=user, {% endif %}item_id=item_id)


@router.patch("/{item_id}", responses=NOT_FOUND | UNPARSEABLE_BODY)
async def update_item(
    item_id: Id,
    data: ItemUpdate,
    items: ItemServiceDep,
{%- if cookiecutter.use_auth %}
    user: CurrentUser,
{%- endif %}
) -> ItemRead:
    return await items.update_item({% if cookiecutter.use_auth %}actor=user, {% endif %}item_id=item_id, data=data)


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
)
async def delete_item(item_id: Id, items: ItemServiceDep{% if cookiecutter.use_auth %}, user: CurrentUser{% endif %}) -> None:
    await items.delete_item({% if cookiecutter.use_auth %}actor=user, {% endif %}item_id=item_id)
