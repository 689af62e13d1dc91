"""Pure ASGI middleware (Starlette's BaseHTTPMiddleware costs several times more per request).

`EdgeMiddleware` is the outermost layer and does in one pass what every request needs at the edge:
its id, the response headers, and telling the request observers (the access log, and each feature's
own) how it went. One layer rather than one per concern: over HTTP each layer costs more than its
own work, a coroutine per layer and two per response (docs/architecture.md, decision 23).
"""

import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from random import getrandbits
from typing import Protocol

import structlog
from asgi_correlation_id import correlation_id
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.package_name }}.api.docs import DOCS_PAGES

access_logger = structlog.get_logger("access")

REQUEST_ID_HEADER = b"x-request-id"
# An incoming id is kept when it is 32 hex digits or a UUID: what proxies (nginx's
# $request_id), tracing systems and other Kitsune services send. Anything else is replaced,
# so a client cannot put arbitrary text into our logs or our response headers.
WELL_FORMED_ID = re.compile(
    rb"[0-9a-f]{32}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE
)


def new_request_id() -> str:
    """32 hex digits, the shape of the uuid4().hex it replaces, at a seventh of the cost (no
    system call, no UUID object): a request id labels log lines; it guards nothing."""
    return f"{getrandbits(128):032x}"


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-ID when well-formed, else a new id."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            if WELL_FORMED_ID.fullmatch(value):
                request_id: str = value.decode("ascii")
                return request_id
            break
    return new_request_id()


class RequestObserver(Protocol):
    """Hears when each HTTP request starts and, with its status and duration, when it ends."""

    def request_started(self, scope: Scope) -> None: ...

    def request_finished(self, scope: Scope, status: int, seconds: float) -> None: ...


class AccessLog:
    """One log line per HTTP request: method, path, status, duration and the client address
    (the socket peer, or what a trusted proxy forwarded).

    Successful requests to `quiet_paths` (health probes) are not logged: an orchestrator
    probes every few seconds, and the line was a sixth of a probe's cost. Their failures are.
    """

    def __init__(self, *, quiet_paths: Iterable[str] = ()) -> None:
        self.quiet_paths = frozenset(quiet_paths)

    def request_started(self, scope: Scope) -> None:
        pass

    def request_finished(self, scope: Scope, status: int, seconds: float) -> None:
        if status >= 400 or scope["path"] not in self.quiet_paths:
            access_logger.info(
                "request_completed",
                method=scope["method"],
                path=scope["path"],
                status=status,
                client=scope["client"][0] if scope.get("client") else None,
                duration_ms=round(seconds * 1000, 2),
            )


# Answers an exception that reached the edge before any response did.
ErrorResponder = Callable[[Request, Exception], Awaitable[Response]]

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The Swagger UI and ReDoc pages run inline start-up scripts, show data: images and start a
# worker from a blob; their files come from this service (api/docs.py), so no other host.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
Headers = list[tuple[bytes, bytes]]


# API answers carry tokens, secrets and personal data, error answers included: no cache may
# keep one unless its route sets a Cache-Control of its own.
NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """The browser-hardening headers of every response: a strict CSP for the API, a looser
    one for the OpenAPI pages, and HSTS when served over TLS (production). API answers also
    get `Cache-Control: no-store` (see `with_defaults`)."""

    def __init__(self, *, hsts: bool) -> None:
        base = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if hsts:
            base.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        self.api = [*base, (b"content-security-policy", API_CSP.encode()), NO_STORE]
        self.docs = [*base, (b"content-security-policy", DOCS_CSP.encode())]

    def for_path(self, path: str) -> Headers:
        return self.docs if path in DOCS_PAGES else self.api


def with_defaults(own: Sequence[tuple[bytes, bytes]], added: Headers) -> Headers:
    """The app's headers, then the edge's; the edge's `no-store` only if the app set no
    Cache-Control itself (the OpenAPI pages get none: they hold nothing private)."""
    if any(name == b"cache-control" for name, _ in own):
        return [*own, *(header for header in added if header is not NO_STORE)]
    return [*own, *added]


def edge_headers(request_id: str, security_headers: SecurityHeaders, path: str) -> Headers:
    """What the edge adds to every response: the request id and the security headers."""
    return [(REQUEST_ID_HEADER, request_id.encode()), *security_headers.for_path(path)]


class EdgeMiddleware:
    """The outermost layer of every HTTP request.

    * Request id: the caller's X-Request-ID when well-formed, else a new one. It is set in
      asgi-correlation-id's context variable, which every log line reads (core/logging.py),
      and returned in the response's X-Request-ID.
    * Response headers: the request id and the `SecurityHeaders`.
    * Observers (the access log, the metrics) hear when the request starts, then its status
      and duration; the status is 500 if the app fails before answering.
    * An exception raised before the response started is answered here by `on_error` (the
      500 of api/errors.py) and goes no further. Starlette's outermost layer would answer it
      too, but then re-raise it to the server, which logs it again and drops the keep-alive
      connection. Once the response has started it is too late to answer, so it is re-raised
      for Starlette to log and the server to end the connection.

    WebSocket connections get a request id for their log lines; nothing else.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        security_headers: SecurityHeaders,
        observers: Sequence[RequestObserver] = (),
        on_error: ErrorResponder | None = None,
    ) -> None:
        self.app = app
        self.security_headers = security_headers
        self.observers = tuple(observers)
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                correlation_id.set(request_id_of(scope))
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        correlation_id.set(request_id)
        added = edge_headers(request_id, self.security_headers, scope["path"])
        status = 500  # what the client sees if the app dies before answering
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message["headers"] = with_defaults(message.get("headers", ()), added)
            await send(message)

        for observer in self.observers:
            observer.request_started(scope)
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if started or self.on_error is None:
                raise
            response = await self.on_error(Request(scope), exc)
            await response(scope, receive, send_with_headers)
        finally:
            seconds = time.perf_counter() - start
            for observer in self.observers:
                observer.request_finished(scope, status, seconds)


class BodySizeLimitMiddleware:
    """Refuses request bodies over `max_size` bytes with 413, before the app reads them all.

    Most requests declare their length and pass straight through; only a chunked body is
    counted on its way in.
    """

    def __init__(self, app: ASGIApp, *, max_size: int) -> None:
        self.app = app
        self.max_size = max_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bound = _body_bound(scope)
        if bound is not None:
            # The framing headers bound the body: the server delivers no more than they say.
            if bound > self.max_size:
                await _send_too_large(send)
            else:
                await self.app(scope, receive, send)
            return
        # A chunked body: only counting it as it arrives can tell.
        received = 0
        response_started = False
        rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected, response_started
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_size:
                    # Answer now; to the app the client simply went away.
                    rejected = True
                    if not response_started:
                        response_started = True
                        await _send_too_large(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return  # whatever the app answers after the cut-off goes nowhere
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


def _body_bound(scope: Scope) -> int | None:
    """The most bytes the request body can hold, from its framing headers; None when only
    counting can tell (a chunked body, or a Content-Length that is not a number).

    The ASGI server frames the body: it delivers exactly Content-Length bytes (HTTP/1.1), or
    refuses a mismatch (HTTP/2). A request with neither header has no body (RFC 9112, 6.3).
    """
    bound = 0
    for name, value in scope["headers"]:
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            try:
                bound = int(value)
            except ValueError:
                return None
    return bound


async def _send_too_large(send: Send) -> None:
    body = b'{"detail":"Request body too large.","code":"request.too_large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
