"""Registers the routes: the health probes at the root, the versioned API under `/api/v1`.

A new route module declares an `APIRouter` as usual and goes into `API_ROUTERS`; its routes are
then served, documented and overridable exactly like ours.
"""

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import APIRoute

from {{ cookiecutter.package_name }}.api.deps import UOW_SCOPE_KEY
from {{ cookiecutter.package_name }}.api.routes import {% if cookiecutter.use_auth %}admin, auth, {% endif %}health, items{% if cookiecutter.use_auth %}, users{% endif %}

API_PREFIX = "/api/v1"
# Starlette tries the routes in order: the routers most requests go to come first.
API_ROUTERS = (items.router{% if cookiecutter.use_auth %}, users.router, auth.router, admin.router{% else %},{% endif %})
# Everything add_api_route accepts, which an APIRoute keeps under the same name.
_ROUTE_OPTIONS = tuple(
    name
    for name in inspect.signature(APIRouter.add_api_route).parameters
    if name not in {"self", "path", "endpoint", "route_class_override"}
)


class UnitOfWorkRoute(APIRoute):
    """An API route that returns its request's parked read connection (`db.uow`) once the
    response is built, before it is sent. Returned on the loop's next turn instead, after the
    response, the client's next request could take it ahead of the requests waiting for the
    pool, and under load a few waited their turn over and over (docs/architecture.md, 24)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_then_close(request: Request) -> Response:
            try:
                return await handle(request)
            finally:
                if (uow := request.scope.get(UOW_SCOPE_KEY)) is not None:
                    await uow.aclose()

        return handle_then_close


def include_routes(app: FastAPI) -> None:
    add_routes(app, health.router)
    for router in API_ROUTERS:
        add_routes(app, router, prefix=API_PREFIX, route_class=UnitOfWorkRoute)


def add_routes(
    app: FastAPI, router: APIRouter, *, prefix: str = "", route_class: type[APIRoute] = APIRoute
) -> None:
    """Register each of `router`'s routes on the app (`add_api_route`), under `prefix`.

    This serves what `app.include_router(router, prefix=prefix)` would (a test compares the
    OpenAPI documents), without its cost: an included router stays a node of FastAPI's route
    tree, with bookkeeping for every route tried through it, which cost `/health/live` about
    a quarter of its throughput (docs/architecture.md, decision 23). The routes keep the
    prefix, tags, responses and dependencies they were declared with, and
    `app.dependency_overrides` applies to them as to any route.
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only API routes can be registered this way")
        options = {name: getattr(route, name) for name in _ROUTE_OPTIONS if hasattr(route, name)}
        app.router.add_api_route(
            prefix + route.path, route.endpoint, route_class_override=route_class, **options
        )
