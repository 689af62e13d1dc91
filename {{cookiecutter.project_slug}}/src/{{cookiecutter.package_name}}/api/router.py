"""Registers the routes: the health probes at the root, the versioned API under `/api/v1`."""

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import APIRoute
from starlette._utils import get_route_path  # starlette.routing uses it but does not export it
from starlette.routing import Match
from starlette.types import Scope

from {{ cookiecutter.package_name }}.api.deps import UOW_SCOPE_KEY
from {{ cookiecutter.package_name }}.api.routes import {% if cookiecutter.use_auth %}admin, auth, {% endif %}health, items{% if cookiecutter.use_auth %}, users{% endif %}

API_PREFIX = "/api/v1"
API_ROUTERS = ({% if cookiecutter.use_auth %}admin.router, auth.router, users.router, {% endif %}items.router{% if not cookiecutter.use_auth %},{% endif %})
# Everything add_api_route accepts, which an APIRoute keeps under the same name.
_ROUTE_OPTIONS = tuple(
    name
    for name in inspect.signature(APIRouter.add_api_route).parameters
    if name not in {"self", "path", "endpoint", "route_class_override"}
)


class AppRoute(APIRoute):
    """An API route held by the app itself (see `add_routes`), which turns a request away by
    its path's literal start before FastAPI's own matching runs.

    Starlette tries the app's routes in order until one matches. A miss costs an APIRoute
    ~1.1 us (FastAPI's look-up for included routers, then the path's regex; measured on a
    slow host), and in production `users/me` is tried after 19 other routes: ~2% of that
    request's CPU. A path that does not start with the route's literal prefix (its path up to
    the first parameter) cannot match its regex, and `str.startswith` says so in ~0.4 us.

    The shortcut is sound only where the route's own path is the full path, so `add_routes`
    switches it on by setting `literal_prefix`; a route served through `include_router`
    keeps FastAPI's matching.
    """

    literal_prefix: str | None = None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        prefix = self.literal_prefix
        if prefix is not None and not get_route_path(scope).startswith(prefix):
            return Match.NONE, {}
        return super().matches(scope)


class UnitOfWorkRoute(AppRoute):
    """An API route that closes its request's Unit of Work once the response is built, before
    it is sent.

    A read-only block parks its connection until the task next waits (see `db.uow`). A
    request whose last block only read, `users/me` for one, would otherwise return it on the
    loop's next turn, after the response had gone out. By then the client's next request
    could take the connection ahead of the requests waiting for the pool, and at 64
    connections a few waited their turn over and over: p99 rose from ~70 to ~600 ms.
    """

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
    app: FastAPI, router: APIRouter, *, prefix: str = "", route_class: type[AppRoute] = AppRoute
) -> None:
    """Register each of `router`'s routes on the app itself, under `prefix`.

    What `app.include_router(router, prefix=prefix)` would serve, without its cost: since
    FastAPI 0.137 an included router stays a node of the route tree, and every request is
    matched through each node before its own (twice for the node that holds its route).
    That was 7-8 us of every request here, a tenth of `/health/live`. The route modules
    still declare their routers (prefix, tags, dependencies are set on each route when it is
    declared); the app holds the routes, as with `@app.get`, so `app.dependency_overrides`
    applies to them. A test checks that the OpenAPI document is the same either way.
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only API routes can be registered this way")
        options = {name: getattr(route, name) for name in _ROUTE_OPTIONS if hasattr(route, name)}
        app.router.add_api_route(
            prefix + route.path, route.endpoint, route_class_override=route_class, **options
        )
        added = app.router.routes[-1]
        if isinstance(added, AppRoute):  # what add_api_route just appended
            added.literal_prefix = added.path.partition("{")[0]
