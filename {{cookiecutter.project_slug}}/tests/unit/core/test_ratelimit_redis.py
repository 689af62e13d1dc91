"""The limiter's Redis storage is built from the app's own REDIS_URL."""

from typing import Any

from limits.aio.storage import RedisStorage
from redis.asyncio.connection import Connection, SSLConnection

from {{ cookiecutter.package_name }}.core.ratelimit import redis_storage


def connection_class(url: str) -> Any:
    """The connection class of the client `limits` builds for `url` (no connection is made)."""
    storage = redis_storage(url)
    assert isinstance(storage, RedisStorage)
    bridge: Any = storage.bridge  # limits types the base bridge; redis-py's sets `storage`
    return bridge.storage.connection_pool.connection_class


def test_rediss_url_speaks_tls():
    """A `rediss://` REDIS_URL (a managed Redis) keeps TLS for the rate-limit counters."""
    assert connection_class("rediss://cache.example.com:6380/0") is SSLConnection


def test_redis_url_speaks_plain_tcp():
    assert connection_class("redis://127.0.0.1:6379/0") is Connection
