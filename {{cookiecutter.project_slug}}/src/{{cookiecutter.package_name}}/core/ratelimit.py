"""Rate limits on the abuse-prone endpoints, with the `limits` library's async API.

{%- if cookiecutter.use_redis %}
Counters live in Redis, shared by every worker and replica.
{%- else %}
Counters live in process memory: right for one process only.
{%- endif %}
A moving window is used: no burst of twice the limit at a window boundary.
"""

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import {% if not cookiecutter.use_redis %}MemoryStorage, {% endif %}Storage
from limits.aio.strategies import MovingWindowRateLimiter
{%- if cookiecutter.use_redis %}
from limits.storage import storage_from_string
{%- endif %}

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.errors import RateLimited


class RateLimiter:
    """Counts attempts per key and raises RateLimited (429) once a limit is used up.

    An attempt is counted when it starts, before any work, and the count and the check are
    one atomic step in the storage. Counting only failures would need each outcome first,
    and concurrent attempts would all pass the check before any of them was counted.
    """

    def __init__(self, storage: Storage) -> None:
        self._limiter = MovingWindowRateLimiter(storage)

    async def hit(self, limit: str, *keys: str) -> None:
        """Count one attempt against `limit` for `keys`; raise when over the limit."""
        item = parse(limit)
        if not await self._limiter.hit(item, *keys):
            raise RateLimited(retry_after=await self._retry_after(item, *keys))

    async def _retry_after(self, item: RateLimitItem, *keys: str) -> int:
        stats = await self._limiter.get_window_stats(item, *keys)
        return max(1, math.ceil(stats.reset_time - time.time()))
{%- if cookiecutter.use_redis %}


def rate_limit_storage(settings: Settings) -> Storage:
    """The counters' storage: Redis (through redis-py, the client the rest of the app uses),
    shared by every worker and replica, under the app's key prefix.

    Every failure to reach Redis, or to hear back within REDIS_TIMEOUT seconds, is raised as
    `limits.errors.StorageError` (answered 503 by api/errors.py).
    """
    # `limits` picks its asyncio storage by an `async+` scheme: async+redis://, async+rediss://.
    storage = storage_from_string(
        f"async+{settings.redis_url}",
        implementation="redispy",
        key_prefix=f"{settings.redis_prefix}:ratelimit",
        wrap_exceptions=True,
        socket_connect_timeout=settings.redis_timeout,
        socket_timeout=settings.redis_timeout,
    )
    # An async+ scheme always gives the asyncio storage; storage_from_string is typed for both.
    assert isinstance(storage, Storage)
    return storage
{%- else %}


def rate_limit_storage(settings: Settings) -> Storage:
    """The counters' storage: this process's memory."""
    return MemoryStorage()
{%- endif %}
