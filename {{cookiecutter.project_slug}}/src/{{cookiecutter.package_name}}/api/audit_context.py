"""Who is calling, for the audit log: the request id and the client's address, bound as each
request starts (`core.context`)."""

from collections.abc import Collection

from asgi_correlation_id import correlation_id
from starlette.datastructures import Headers
from starlette.types import Scope

from {{ cookiecutter.package_name }}.core.context import RequestContext, bind_request


def client_address(scope: Scope, trusted_proxies: Collection[str]) -> str:
    """The caller's address: the socket peer, unless that peer is a trusted proxy.

    Behind trusted proxies, the right-most X-Forwarded-For entry that is not itself a trusted
    proxy is the client; anything left of it is client-supplied and could be forged.
    """
    client = scope.get("client")
    peer: str = client[0] if client else "unknown"
    if peer not in trusted_proxies:
        return peer
    forwarded = Headers(scope=scope).get("x-forwarded-for") or ""
    for hop in reversed([part.strip() for part in forwarded.split(",")]):
        if hop and hop not in trusted_proxies:
            return hop
    return peer


class AuditContext:
    """An observer of the edge layer (`api.middleware.EdgeMiddleware`) that binds the request's
    context as the request starts, in the request's own context, before the app runs."""

    def __init__(self, trusted_proxies: Collection[str]) -> None:
        self.trusted_proxies = trusted_proxies

    def request_started(self, scope: Scope) -> None:
        bind_request(
            RequestContext(
                request_id=correlation_id.get(),
                client_address=client_address(scope, self.trusted_proxies),
            )
        )

    def request_finished(self, scope: Scope, status: int, seconds: float) -> None:
        pass
