"""Error answers that many routes share, as the OpenAPI document describes them.

Every one has the `ErrorBody` shape, `{"detail": ..., "code": ...}` (api/errors.py). A router
lists the answers any of its routes can give; a route adds those of its own.
"""

from typing import Any

from {{ cookiecutter.package_name }}.schemas.common import ErrorBody

Responses = dict[int | str, dict[str, Any]]

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}


def error(description: str, **extra: Any) -> dict[str, Any]:
    """One documented error answer with the `ErrorBody` shape."""
    return {"model": ErrorBody, "description": description, **extra}


# Any API route: the body-size limit (api/middleware.py), input validation, and a database
# that cannot be reached or has no free connection.
API_ERRORS: Responses = {
    413: error("Request body too large"),
    422: error("Invalid input: `detail` lists where and why"),
    503: error("A dependency is unavailable; try again later", headers=RETRY_AFTER),
}
# A route that reads a request body, sent with bytes that cannot even be decoded.
UNPARSEABLE_BODY: Responses = {400: error("The body could not be parsed")}
{%- if cookiecutter.use_auth %}
UNAUTHORIZED: Responses = {
    401: error(
        "Not authenticated",
        headers={
            "WWW-Authenticate": {
                "description": 'Bearer; with error="invalid_token" when the token presented was '
                "refused (RFC 6750)",
                "schema": {"type": "string"},
            }
        },
    )
}
RATE_LIMITED: Responses = {429: error("Too many attempts", headers=RETRY_AFTER)}
{%- endif %}
