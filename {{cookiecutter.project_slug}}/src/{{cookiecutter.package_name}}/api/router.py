"""Collects the versioned API routes under `/api/v1`."""

from fastapi import APIRouter

from {{ cookiecutter.package_name }}.api.routes import {% if cookiecutter.use_auth %}auth, {% endif %}items{% if cookiecutter.use_auth %}, users{% endif %}

API_PREFIX = "/api/v1"

api_router = APIRouter(prefix=API_PREFIX)
{%- if cookiecutter.use_auth %}
api_router.include_router(auth.router)
api_router.include_router(users.router)
{%- endif %}
api_router.include_router(items.router)
