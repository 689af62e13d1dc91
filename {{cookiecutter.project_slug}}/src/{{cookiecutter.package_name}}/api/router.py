"""Collects the versioned API routes under `/api/v1`."""

from fastapi import APIRouter{% if cookiecutter.use_auth %}, Depends{% endif %}

{% if cookiecutter.use_auth -%}
from {{ cookiecutter.package_name }}.api.deps import bind_request_context
{% endif -%}
from {{ cookiecutter.package_name }}.api.routes import {% if cookiecutter.use_auth %}admin, auth, {% endif %}items{% if cookiecutter.use_auth %}, users{% endif %}

API_PREFIX = "/api/v1"

{% if cookiecutter.use_auth -%}
api_router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(bind_request_context)])
{%- else -%}
api_router = APIRouter(prefix=API_PREFIX)
{%- endif %}
{%- if cookiecutter.use_auth %}
api_router.include_router(admin.router)
api_router.include_router(auth.router)
api_router.include_router(users.router)
{%- endif %}
api_router.include_router(items.router)
