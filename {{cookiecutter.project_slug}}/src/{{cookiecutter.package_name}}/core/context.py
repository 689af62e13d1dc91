"""Facts about the request being served, for code far from the HTTP layer (the audit log).

Bound once per request by an API dependency; read with `current_request()`.
Outside a request (the CLI, tests of services) every field is None.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str | None = None
    client_address: str | None = None


# The default is frozen (immutable), so sharing it between contexts is safe.
_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("request_context", default=_EMPTY)


def bind_request(context: RequestContext) -> None:
    _current.set(context)


def current_request() -> RequestContext:
    return _current.get()
