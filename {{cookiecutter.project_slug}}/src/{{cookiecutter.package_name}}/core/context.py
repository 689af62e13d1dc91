"""Facts about the request being served, for code far from the HTTP layer (the audit log).

Bound for every request by `api.audit_context.AuditContext`; read with `current_request()`.
Outside a request (the CLI, tests of services) every field is None.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str | None = None
    client_address: str | None = None


# What code outside a request sees. Frozen (immutable), so sharing it between contexts is safe.
OUTSIDE_A_REQUEST = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("request_context", default=OUTSIDE_A_REQUEST)


def bind_request(context: RequestContext) -> None:
    """Make `context` what `current_request()` answers for the rest of this request."""
    _current.set(context)


def current_request() -> RequestContext:
    return _current.get()
