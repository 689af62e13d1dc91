"""The OpenAPI pages (Swagger UI at /docs, ReDoc at /redoc) with their scripts, styles and icon
served by this service, so the pages work without internet access and their CSP names no other
host. The files come from the fastapi-offline package, which bundles released Swagger UI and
ReDoc builds; the pages are FastAPI's own, built as its guide to self-hosting them shows:
https://fastapi.tiangolo.com/how-to/custom-docs-ui-assets/
"""

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/docs/assets"
# The pages themselves: the edge gives them a CSP that lets them run (api/middleware.py).
DOCS_PAGES = frozenset({DOCS_URL, REDOC_URL, OAUTH2_REDIRECT_URL})

router = APIRouter(include_in_schema=False)


def _urls(request: Request) -> tuple[str, str]:
    """The schema's and the assets' URLs, behind any proxy prefix (`root_path`)."""
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}{request.app.openapi_url}", f"{root}{ASSETS_URL}"


@router.get(DOCS_URL)
async def get_swagger_ui(request: Request) -> HTMLResponse:
    openapi_url, assets = _urls(request)
    return get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{request.app.title} - Swagger UI",
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        swagger_js_url=f"{assets}/swagger-ui-bundle.js",
        swagger_css_url=f"{assets}/swagger-ui.css",
        swagger_favicon_url=f"{assets}/favicon.png",
        swagger_ui_parameters=request.app.swagger_ui_parameters,
    )


@router.get(OAUTH2_REDIRECT_URL)
async def get_swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get(REDOC_URL)
async def get_redoc(request: Request) -> HTMLResponse:
    openapi_url, assets = _urls(request)
    return get_redoc_html(
        openapi_url=openapi_url,
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{assets}/redoc.standalone.js",
        redoc_favicon_url=f"{assets}/favicon.png",
        with_google_fonts=False,
    )


def install_docs(app: FastAPI) -> None:
    """Serve the two pages and their files. The app is built with `docs_url=None` and
    `redoc_url=None`, so FastAPI's own pages (which load their files from a CDN) are off."""
    assets = StaticFiles(packages=[("fastapi_offline", "static")])
    app.mount(ASSETS_URL, assets, name="docs-assets")
    app.include_router(router)
