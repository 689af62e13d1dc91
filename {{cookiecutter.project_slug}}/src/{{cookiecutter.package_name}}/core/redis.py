"""The application's Redis client, used by the readiness check.

The rate limiter has its own connection pool (core/ratelimit.py), built by the `limits` library.
"""

from fastapi import FastAPI
from redis.asyncio import Redis

from {{ cookiecutter.package_name }}.core.config import Settings


def install_redis(app: FastAPI, settings: Settings) -> None:
    """One client for the application, closed at shutdown."""
    app.state.redis = Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=settings.redis_timeout,
        socket_timeout=settings.redis_timeout,
    )
    app.state.resources.push_async_callback(app.state.redis.aclose)
