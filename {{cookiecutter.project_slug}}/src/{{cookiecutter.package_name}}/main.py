"""Application factory: settings, logging, database, middleware, routes, error handlers."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
{%- if cookiecutter.use_auth %}
from datetime import timedelta
{%- endif %}

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
{%- if cookiecutter.use_redis %}
from redis.asyncio import Redis
{%- endif %}

from {{ cookiecutter.package_name }} import __version__
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.api.audit_context import AuditContext
{%- endif %}
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
from {{ cookiecutter.package_name }}.core.config import Settings, get_settings
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.core.email import Outbox, email_sender
{%- endif %}
from {{ cookiecutter.package_name }}.core.logging import configure_logging
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.core.mfa import SecretBox, Totp
from {{ cookiecutter.package_name }}.core.ratelimit import RateLimiter, {% if cookiecutter.use_redis %}redis_storage{% else %}memory_storage{% endif %}
{%- endif %}
from {{ cookiecutter.package_name }}.core.runtime import tune_gc
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.core.security import PasswordHasher, TokenCodec
{%- endif %}
{%- if cookiecutter.use_opentelemetry %}
from {{ cookiecutter.package_name }}.core.tracing import (
    create_tracer_provider,
    instrument_engine,
    shutdown_tracing,
    telemetry_config,
)
{%- endif %}
from {{ cookiecutter.package_name }}.db.session import (
    create_engine,
    create_read_session_factory,
    create_session_factory,
)
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.services.auth import AuthPolicy
from {{ cookiecutter.package_name }}.services.mfa import MfaPolicy
from {{ cookiecutter.package_name }}.services.password_reset import ResetPolicy
{%- endif %}

logger = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI application. Tests pass their own settings."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, fmt=settings.resolved_log_format)
{%- if cookiecutter.use_opentelemetry %}
    tracer_provider = create_tracer_provider(settings)
{%- endif %}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_gc()  # last: the application is built, so what it holds lives as long as it does
        logger.info("application_started", environment=settings.environment.value)
        yield
{%- if cookiecutter.use_auth %}
        await app.state.outbox.drain()
{%- endif %}
        await app.state.engine.dispose()
{%- if cookiecutter.use_redis %}
        await app.state.redis.aclose()
{%- endif %}
{%- if cookiecutter.use_opentelemetry %}
        shutdown_tracing(tracer_provider)
{%- endif %}
        logger.info("application_stopped")

    docs = settings.show_docs
    app = FastAPI(
        title=settings.project_name,
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
{%- if cookiecutter.use_opentelemetry %}
        telemetry=telemetry_config(tracer_provider),
{%- endif %}
    )
    install_state(app, settings)
{%- if cookiecutter.use_opentelemetry %}
    app.state.tracer_provider = tracer_provider
    instrument_engine(app.state.engine, tracer_provider)
{%- endif %}
    install_error_handlers(app)
    include_routes(app)
{%- if cookiecutter.use_prometheus %}
    install_metrics(app)
{%- endif %}
    install_middleware(app, settings)
    return app


def install_state(app: FastAPI, settings: Settings) -> None:
    """Long-lived collaborators, built once and shared by every request."""
    engine = create_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.read_session_factory = create_read_session_factory(engine)
    # SQLite has one writer at a time: writing units of work queue here (see db/uow.py).
    app.state.writer_lock = asyncio.Lock() if settings.is_sqlite else None
{%- if cookiecutter.use_redis %}
    app.state.redis = Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=settings.redis_timeout,
        socket_timeout=settings.redis_timeout,
    )
{%- endif %}
{%- if cookiecutter.use_auth %}
    app.state.hasher = PasswordHasher.from_settings(settings)
    app.state.tokens = TokenCodec.from_settings(settings)
{%- if cookiecutter.use_redis %}
    app.state.limiter = RateLimiter(
        redis_storage(
            settings.redis_url,
            key_prefix=f"{settings.redis_prefix}:ratelimit",
            timeout=settings.redis_timeout,
        )
    )
{%- else %}
    app.state.limiter = RateLimiter(memory_storage())
{%- endif %}
    app.state.outbox = Outbox(email_sender(settings))
    app.state.reset_policy = ResetPolicy(
        lifetime=timedelta(minutes=settings.password_reset_expire_minutes),
        url_template=settings.password_reset_url,
        sender=settings.email_from,
        project_name=settings.project_name,
    )
    app.state.auth_policy = AuthPolicy(
        refresh_lifetime=timedelta(days=settings.refresh_token_expire_days),
        login_attempts_per_account=settings.rate_limit_login_account,
        session_lifetime=timedelta(days=settings.session_max_lifetime_days),
        refresh_reuse_interval=timedelta(seconds=settings.refresh_reuse_interval_seconds),
    )
    app.state.totp = Totp(issuer=settings.project_name)
    app.state.mfa_box = SecretBox(settings.mfa_keys)
    app.state.mfa_policy = MfaPolicy(
        attempts_per_account=settings.rate_limit_mfa_account,
        recovery_codes=settings.mfa_recovery_codes,
    )
{%- endif %}


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
    observers: list[RequestObserver] = [AccessLog(quiet_paths=settings.access_log_quiet_paths)]
{%- if cookiecutter.use_auth %}
    observers.append(AuditContext(settings.forwarded_allow_ips))
{%- endif %}
{%- if cookiecutter.use_prometheus %}
    observers.append(app.state.metrics)
{%- endif %}
    # Outermost: the request id exists before anything logs, the timings include every other
    # layer, and an unexpected error is answered here rather than re-raised to the server.
    app.state.security_headers = SecurityHeaders(hsts=settings.is_production)
    app.add_middleware(
        EdgeMiddleware,
        security_headers=app.state.security_headers,
        observers=observers,
        on_error=handle_unexpected,
    )


app = create_app()
