"""Application factory: settings, logging, database, middleware, routes, error handlers.

Each optional feature installs itself with one call (`install_auth`, `install_metrics`...): it
puts what it builds on `app.state`, adds its request observers, and registers what must be
closed at shutdown on `app.state.resources`, which the lifespan closes in reverse order.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from {{ cookiecutter.package_name }} import __version__
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.api.auth_setup import install_auth
{%- endif %}
from {{ cookiecutter.package_name }}.api.docs import install_docs
from {{ cookiecutter.package_name }}.api.errors import handle_unexpected, install_error_handlers
{%- if cookiecutter.use_prometheus %}
from {{ cookiecutter.package_name }}.api.metrics import install_metrics
{%- endif %}
from {{ cookiecutter.package_name }}.api.middleware import (
    AccessLog,
    BodySizeLimitMiddleware,
    EdgeMiddleware,
    RequestObserver,
    SecurityHeaders,
)
from {{ cookiecutter.package_name }}.api.router import include_routes
from {{ cookiecutter.package_name }}.core.config import Settings, settings_or_exit
from {{ cookiecutter.package_name }}.core.logging import configure_logging
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
from {{ cookiecutter.package_name }}.core.redis import install_redis
{%- endif %}
from {{ cookiecutter.package_name }}.core.runtime import tune_gc
{%- if cookiecutter.use_opentelemetry %}
from {{ cookiecutter.package_name }}.core.tracing import (
    create_tracer_provider,
    install_tracing,
    telemetry_config,
)
{%- endif %}
from {{ cookiecutter.package_name }}.db.session import (
    create_engine,
    create_read_session_factory,
    create_session_factory,
)

logger = structlog.get_logger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    tune_gc()  # last: the application is built, so what it holds lives as long as it does
    logger.info("application_started", environment=app.state.settings.environment.value)
    async with app.state.resources:
        yield
    logger.info("application_stopped")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI application. Tests pass their own settings."""
    settings = settings or settings_or_exit()
    configure_logging(level=settings.log_level, fmt=settings.resolved_log_format)
{%- if cookiecutter.use_opentelemetry %}
    tracer_provider = create_tracer_provider(settings)
{%- endif %}
    docs = settings.show_docs
    app = FastAPI(
        title=settings.project_name,
        version=__version__,
        lifespan=lifespan,
        # The OpenAPI pages are api/docs.py's, which serve their own files.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
{%- if cookiecutter.use_opentelemetry %}
        telemetry=telemetry_config(tracer_provider),
{%- endif %}
    )
    install_state(app, settings)
{%- if cookiecutter.use_opentelemetry %}
    install_tracing(app, tracer_provider)
{%- endif %}
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
    install_redis(app, settings)
{%- endif %}
{%- if cookiecutter.use_auth %}
    install_auth(app, settings)
{%- endif %}
    install_error_handlers(app)
    include_routes(app)
    if docs:
        install_docs(app)
{%- if cookiecutter.use_prometheus %}
    install_metrics(app)
{%- endif %}
    install_middleware(app, settings)
    return app


def install_state(app: FastAPI, settings: Settings) -> None:
    """Long-lived collaborators, built once and shared by every request."""
    app.state.settings = settings
    # What the application opened, closed by the lifespan in reverse order at shutdown.
    app.state.resources = AsyncExitStack()
    # Called by the edge middleware at the start and end of every request.
    observers: list[RequestObserver] = [AccessLog(quiet_paths=settings.access_log_quiet_paths)]
    app.state.observers = observers
    engine = create_engine(settings)
    app.state.resources.push_async_callback(engine.dispose)
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.read_session_factory = create_read_session_factory(engine)
    # SQLite has one writer at a time: writing units of work queue here (see db/uow.py).
    app.state.writer_lock = asyncio.Lock() if settings.is_sqlite else None


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Pure ASGI middleware only. The last added runs first (outermost)."""
    if settings.cors_origins:
        wildcard = "*" in settings.cors_origins
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            # Credentials are never combined with a wildcard origin.
            allow_credentials=not wildcard,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(BodySizeLimitMiddleware, max_size=settings.max_body_size)
    # Outermost: the request id exists before anything logs, the timings include every other
    # layer, and an unexpected error is answered here rather than re-raised to the server.
    app.state.security_headers = SecurityHeaders(hsts=settings.is_production)
    app.add_middleware(
        EdgeMiddleware,
        security_headers=app.state.security_headers,
        observers=app.state.observers,
        on_error=handle_unexpected,
    )


app = create_app()
