"""Facts about the request being served, for code far from the HTTP layer (the audit log).

Bound for every request by `api.middleware.AuditContext`; read with `current_request()`. What is
bound is how to work the facts out, not the facts: most requests write no audit row, and they
never parse a header for one. Outside a request (the CLI, tests of services) every field is None.
"""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str | None = None
    client_address: str | None = None


# The default is frozen (immutable), so sharing it between contexts is safe.
_EMPTY = RequestContext()


def _outside_a_request() -> RequestContext:
    return _EMPTY


_current: ContextVar[Callable[[], RequestContext]] = ContextVar(
    "request_context", default=_outside_a_request
)


def bind_request(describe: Callable[[], RequestContext]) -> None:
    """Bind `describe`, called (in the request's context) by whoever asks for the facts."""
    _current.set(describe)


def current_request() -> RequestContext:
    return _current.get()()
