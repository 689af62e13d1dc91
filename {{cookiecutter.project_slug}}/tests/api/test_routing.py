"""The app holds its routes itself (`api/router.py`) and serves what include_router would."""

import re
from typing import cast

import httpx2
import pytest
from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match

from {{ cookiecutter.package_name }}.api.deps import get_item_service
from {{ cookiecutter.package_name }}.api.router import API_PREFIX, API_ROUTERS, AppRoute, add_routes
from {{ cookiecutter.package_name }}.api.routes import health
from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import close_app


def routed(*, through_include_router: bool) -> FastAPI:
    app = FastAPI(title="Routing", version="1")
    if through_include_router:
        app.include_router(health.router)
        for router in API_ROUTERS:
            app.include_router(router, prefix=API_PREFIX)
    else:
        add_routes(app, health.router)
        for router in API_ROUTERS:
            add_routes(app, router, prefix=API_PREFIX)
    return app


def test_openapi_document_is_the_one_include_router_makes():
    """Paths, methods, status codes, tags, parameters, security and schemas all match."""
    flat = routed(through_include_router=False).openapi()
    included = routed(through_include_router=True).openapi()

    assert flat["paths"]
    assert flat == included


async def test_dependency_overrides_reach_the_routes(settings: Settings):
    """`app.dependency_overrides`, the usual way to swap a dependency in a test, applies."""

    async def refuse() -> None:
        raise HTTPException(status_code=418, detail="overridden")

    app = create_app(settings)
    app.dependency_overrides[get_item_service] = refuse
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get(f"{API_PREFIX}/items/")
    await close_app(app)

    assert response.status_code == 418


def probes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) pairs around every route: its path with each parameter filled, with and
    without a trailing slash, under a wrong method, plus near misses and unknown paths."""
    found = [("GET", "/"), ("GET", "/nope"), ("GET", f"{API_PREFIX}/item"), ("GET", API_PREFIX)]
    for route in app.router.routes:
        if not isinstance(route, APIRoute):
            continue
        path = re.sub(r"{[^}]*}", "7", route.path)
        for variant in (path, path.rstrip("/"), path.rstrip("/") + "/", path + "x", path[:-1]):
            found += [(method, variant) for method in (*(route.methods or ()), "PUT")]
    return sorted(set(found))


def chosen(routes: list[BaseRoute], method: str, path: str, root_path: str, *, plain: bool):
    """The route Starlette's router would pick and how it matched: the first full match,
    else the first partial one (a 405). `plain` matches as FastAPI's APIRoute does."""
    scope = {"type": "http", "method": method, "path": root_path + path, "root_path": root_path}
    partial = None
    for route in routes:
        if plain and isinstance(route, APIRoute):
            match, _ = APIRoute.matches(route, scope)
        else:
            match, _ = route.matches(scope)
        if match is Match.FULL:
            return route, match
        if match is Match.PARTIAL and partial is None:
            partial = (route, match)
    return partial


@pytest.mark.parametrize("root_path", ["", "/behind/a/proxy"])
def test_every_request_reaches_the_route_fastapis_matching_would_pick(root_path: str):
    """The literal-prefix shortcut of `AppRoute` only turns away paths its regex would refuse:
    for every route, near misses, wrong methods and slashes, the pick is the same."""
    app = routed(through_include_router=False)
    routes, cases = app.router.routes, probes(app)

    picks = [chosen(routes, method, path, root_path, plain=False) for method, path in cases]
    plain = [chosen(routes, method, path, root_path, plain=True) for method, path in cases]

    fully_matched = {id(pick[0]) for pick in picks if pick and pick[1] is Match.FULL}
    assert fully_matched == {id(route) for route in routes if isinstance(route, APIRoute)}
    assert any(pick and pick[1] is Match.PARTIAL for pick in picks)  # a wrong method: 405
    assert picks == plain


def test_the_apps_routes_turn_away_other_paths_without_their_regex():
    """A route whose literal start the path lacks answers "no match" before its regex runs:
    the saving that keeps the routes after the first few cheap to reach."""

    class Unusable:
        def match(self, _: str) -> None:
            raise AssertionError("the regex ran")

    app = routed(through_include_router=False)
    live = next(
        r for r in app.router.routes if isinstance(r, APIRoute) and r.path == "/health/live"
    )
    live.path_regex = cast(re.Pattern[str], Unusable())  # fails the test if it is used
    scope = {"type": "http", "method": "GET", "path": f"{API_PREFIX}/items/", "root_path": ""}

    assert live.matches(scope) == (Match.NONE, {})


async def test_create_app_switches_the_shortcut_on_for_every_api_route(settings: Settings):
    app = create_app(settings)
    await close_app(app)
    routes = [r for r in app.router.routes if isinstance(r, APIRoute) and r.path != "/metrics"]

    assert routes
    assert all(isinstance(r, AppRoute) for r in routes)
    assert all(
        r.literal_prefix == r.path.partition("{")[0] for r in routes if isinstance(r, AppRoute)
    )


async def test_an_app_route_served_through_include_router_keeps_fastapis_matching():
    """Under `include_router` the route's own path is not the full path, so the shortcut
    must stay off: the included route still answers under its prefix."""
    router = APIRouter(route_class=AppRoute)

    @router.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    app = FastAPI()
    app.include_router(router, prefix="/outer")
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/outer/ping")

    assert response.status_code == 200
    assert response.json() == {"pong": "yes"}


ITEM_METHODS = "DELETE, GET, OPTIONS, PATCH"


async def test_options_answers_with_every_method_of_the_path(client: httpx2.AsyncClient):
    """OPTIONS on a path answers 204 with `Allow` naming every method served there."""
    response = await client.options(f"{API_PREFIX}/items/1")

    assert response.status_code == 204
    assert response.headers["Allow"] == ITEM_METHODS
    assert response.content == b""


async def test_an_unserved_method_gets_405_naming_every_method_of_the_path(
    client: httpx2.AsyncClient,
):
    """A method the path does not serve gets 405, and `Allow` names all those it does (not
    just the first route's, as Starlette would)."""
    response = await client.put(f"{API_PREFIX}/items/1", json={})

    assert response.status_code == 405
    assert response.headers["Allow"] == ITEM_METHODS
    assert response.json()["code"] == "http.405"


async def test_options_on_an_unknown_path_is_404(client: httpx2.AsyncClient):
    """OPTIONS lists methods only for paths that exist."""
    response = await client.options(f"{API_PREFIX}/nowhere")

    assert response.status_code == 404


async def test_cors_preflight_is_still_answered_by_cors(settings: Settings):
    """With CORS_ORIGINS set, a preflight gets CORS's answer; a plain OPTIONS still gets
    the path's methods."""
    app = create_app(settings.model_copy(update={"cors_origins": ["https://app.example.com"]}))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        preflight = await client.options(
            f"{API_PREFIX}/items/1",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "PATCH",
            },
        )
        plain = await client.options(f"{API_PREFIX}/items/1")
    await close_app(app)

    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
    assert (plain.status_code, plain.headers["Allow"]) == (204, ITEM_METHODS)
