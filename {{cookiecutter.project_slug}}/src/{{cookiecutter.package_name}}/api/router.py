"""Registers the routes: the health probes at the root, the versioned API under `/api/v1`."""

from fastapi import FastAPI

from {{ cookiecutter.package_name }}.api.routes import {% if cookiecutter.use_auth %}admin, auth, {% endif %}health, items{% if cookiecutter.use_auth %}, users{% endif %}

API_PREFIX = "/api/v1"
# FastAPI tries the routes in the order they were included, and every route tried before the
# one that matches costs the request a regular-expression match and some bookkeeping: the
# routers most requests go to come first (docs/architecture.md, decision 23).
API_ROUTERS = (items.router{% if cookiecutter.use_auth %}, users.router, auth.router, admin.router{% else %},{% endif %})


def include_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
