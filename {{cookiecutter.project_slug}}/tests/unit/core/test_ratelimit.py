"""The rate limiter: counts per key, and a Retry-After that belongs to the refused key."""

import asyncio

import pytest
from limits.aio.storage import MemoryStorage

from {{ cookiecutter.package_name }}.core.errors import RateLimited
from {{ cookiecutter.package_name }}.core.ratelimit import RateLimiter


async def test_retry_after_is_the_wait_of_the_refused_key():
    """A key refused some time after its attempts is told what is left of its own window (2 s
    of 3 here), not a whole window, which is what any key without attempts would be told."""
    limiter = RateLimiter(MemoryStorage())
    for _ in range(2):
        await limiter.hit("2 per 3 seconds", "login", "ann@example.com")
    await asyncio.sleep(1.2)

    with pytest.raises(RateLimited) as raised:
        await limiter.hit("2 per 3 seconds", "login", "ann@example.com")

    assert 1 <= raised.value.retry_after <= 2  # a whole window would be 3


async def test_retry_after_is_the_wait_rounded_up_to_a_whole_second():
    """A wait of under a second is told as 1 s: rounded up, so a client never retries early,
    and no more than that, so it never waits longer than it must."""
    limiter = RateLimiter(MemoryStorage())
    await limiter.hit("1/second", "login", "ann@example.com")

    with pytest.raises(RateLimited) as raised:
        await limiter.hit("1/second", "login", "ann@example.com")

    assert raised.value.retry_after == 1


async def test_keys_are_counted_apart():
    """One key's attempts do not use up another's, nor does one scope's use up another's."""
    limiter = RateLimiter(MemoryStorage())
    for _ in range(2):
        await limiter.hit("2/minute", "login", "ann@example.com")

    await limiter.hit("2/minute", "login", "bob@example.com")
    await limiter.hit("2/minute", "mfa", "ann@example.com")
    with pytest.raises(RateLimited):
        await limiter.hit("2/minute", "login", "ann@example.com")
