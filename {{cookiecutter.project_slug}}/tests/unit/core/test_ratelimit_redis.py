"""The limiter's Redis storage is built from the app's own settings: REDIS_URL, its key prefix
and its timeout."""

import secrets
import time
import uuid
from typing import Any

import pytest
from limits.aio.storage import RedisStorage
from limits.errors import StorageError
from redis.asyncio.connection import Connection, SSLConnection

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.errors import RateLimited
from {{ cookiecutter.package_name }}.core.ratelimit import RateLimiter, rate_limit_storage
from tests.outages import closed_port, frozen_server, unopenable_port


def settings_for(redis_url: str, **overrides: Any) -> Settings:
    return Settings(
        secret_key=secrets.token_urlsafe(48), redis_url=redis_url, _env_file=None, **overrides
    )


def connection_class(url: str) -> Any:
    """The connection class of the client `limits` builds for `url` (no connection is made)."""
    storage = rate_limit_storage(settings_for(url))
    assert isinstance(storage, RedisStorage)
    bridge: Any = storage.bridge  # limits types the base bridge; redis-py's sets `storage`
    return bridge.storage.connection_pool.connection_class


def test_rediss_url_speaks_tls():
    """A `rediss://` REDIS_URL (a managed Redis) keeps TLS for the rate-limit counters."""
    assert connection_class("rediss://cache.example.com:6380/0") is SSLConnection


def test_redis_url_speaks_plain_tcp():
    assert connection_class("redis://127.0.0.1:6379/0") is Connection


async def test_services_sharing_one_redis_count_apart(redis_url: str):
    """Several services (or test runs) can share one Redis: each counts under its own
    REDIS_PREFIX, so one's attempts never use up another's limit. (The counters expire with
    their window.)"""
    first, second = (
        RateLimiter(rate_limit_storage(settings_for(redis_url, redis_prefix=prefix)))
        for prefix in (f"test-{uuid.uuid4().hex[:12]}", f"test-{uuid.uuid4().hex[:12]}")
    )
    await first.hit("1/minute", "login", "ann@example.com")

    await second.hit("1/minute", "login", "ann@example.com")
    with pytest.raises(RateLimited):
        await first.hit("1/minute", "login", "ann@example.com")


async def test_a_stopped_redis_is_a_storage_error():
    """A refused connection is raised as the one error api/errors.py answers with a 503."""
    settings = settings_for(f"redis://127.0.0.1:{closed_port()}/0")
    limiter = RateLimiter(rate_limit_storage(settings))

    with pytest.raises(StorageError):
        await limiter.hit("5/minute", "login", "ann@example.com")


async def seconds_to_storage_error(port: int) -> float:
    """How long a hit takes to fail as a StorageError against the Redis at `port`, with a
    REDIS_TIMEOUT of 0.3 s."""
    settings = settings_for(f"redis://127.0.0.1:{port}/0", redis_timeout=0.3)
    limiter = RateLimiter(rate_limit_storage(settings))
    started = time.monotonic()
    with pytest.raises(StorageError):
        await limiter.hit("5/minute", "login", "ann@example.com")
    return time.monotonic() - started


async def test_a_frozen_redis_is_a_storage_error_after_the_timeout():
    """A Redis that accepts and never answers is given REDIS_TIMEOUT seconds, not forever."""
    async with frozen_server() as port:
        assert await seconds_to_storage_error(port) < 1.5


async def test_a_redis_that_never_opens_a_connection_is_a_storage_error_after_the_timeout():
    """Connecting, too, is given REDIS_TIMEOUT seconds (an overloaded host never answers the
    handshake)."""
    with unopenable_port() as port:
        assert await seconds_to_storage_error(port) < 1.5
