"""Application factory: settings, logging, database, middleware, routes, error handlers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.api.errors import install_error_handlers
from {{ cookiecutter.package_name }}.api.middleware import AccessLogMiddleware
from {{ cookiecutter.package_name }}.api.router import api_router
from {{ cookiecutter.package_name }}.api.routes import health
from {{ cookiecutter.package_name }}.core.config import Settings, get_settings
from {{ cookiecutter.package_name }}.core.logging import configure_logging
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.core.security import PasswordHasher, TokenCodec
{%- endif %}
from {{ cookiecutter.package_name }}.db.session import create_engine, create_session_factory

logger = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI application. Tests pass their own settings."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, fmt=settings.resolved_log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logger.info("application_started", environment=settings.environment.value)
        yield
        await app.state.engine.dispose()
        logger.info("application_stopped")

    app = FastAPI(title=settings.project_name, version=__version__, lifespan=lifespan)
    engine = create_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
{%- if cookiecutter.use_auth %}
    app.state.hasher = PasswordHasher.from_settings(settings)
    app.state.tokens = TokenCodec.from_settings(settings)
{%- endif %}

    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(api_router)
    # Added last = runs first: the request id must exist before anything logs.
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
    return app


app = create_app()
