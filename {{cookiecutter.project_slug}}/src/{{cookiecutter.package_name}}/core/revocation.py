"""A denylist of access-token ids (`jti`), kept until each token would expire anyway.

{%- if cookiecutter.use_redis %}
Redis holds it, so every worker process and replica sees a logout at once.
{%- else %}
It lives in process memory: right for one process only. With several workers
or replicas, render the template with `use_redis` so they share it.
{%- endif %}
"""

import time
from typing import Protocol
{%- if cookiecutter.use_redis %}

from redis.asyncio import Redis
{%- endif %}

KEY_PREFIX = "denylist:jti:"


class TokenDenylist(Protocol):
    async def add(self, jti: str, *, ttl_seconds: int) -> None: ...

    async def contains(self, jti: str) -> bool: ...


class MemoryTokenDenylist:
    """In-process denylist; entries vanish after their time to live."""

    def __init__(self) -> None:
        self._expiry: dict[str, float] = {}

    async def add(self, jti: str, *, ttl_seconds: int) -> None:
        now = time.monotonic()
        # Drop expired entries as we go, so the map never outgrows the live tokens.
        self._expiry = {key: until for key, until in self._expiry.items() if until > now}
        self._expiry[jti] = now + max(ttl_seconds, 1)

    async def contains(self, jti: str) -> bool:
        until = self._expiry.get(jti)
        return until is not None and until > time.monotonic()
{%- if cookiecutter.use_redis %}


class RedisTokenDenylist:
    """Denylist entries as Redis keys that expire with the token."""

    def __init__(self, redis: Redis, *, prefix: str = KEY_PREFIX) -> None:
        self._redis = redis
        self._prefix = prefix

    async def add(self, jti: str, *, ttl_seconds: int) -> None:
        await self._redis.set(f"{self._prefix}{jti}", b"1", ex=max(ttl_seconds, 1))

    async def contains(self, jti: str) -> bool:
        return bool(await self._redis.exists(f"{self._prefix}{jti}"))
{%- endif %}
