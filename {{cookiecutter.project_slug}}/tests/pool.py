"""Watching a connection pool: how many connections some work borrowed, and how many at once."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from sqlalchemy import QueuePool, event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass
class PoolWatch:
    checkouts: int = 0  # connections lent while watched
    most_out: int = 0  # the most lent at once, as counted at each loan


def queue_pool(engine: AsyncEngine) -> QueuePool:
    """The engine's pool: a QueuePool (the async engines' default), typed as the Pool base."""
    return cast(QueuePool, engine.sync_engine.pool)


@contextmanager
def watching(engine: AsyncEngine) -> Iterator[PoolWatch]:
    pool = queue_pool(engine)
    watch = PoolWatch()

    def on_checkout(*_: object) -> None:
        watch.checkouts += 1
        watch.most_out = max(watch.most_out, pool.checkedout())

    event.listen(pool, "checkout", on_checkout)
    try:
        yield watch
    finally:
        event.remove(pool, "checkout", on_checkout)


async def all_returned(engine: AsyncEngine, *, within: float = 2.0) -> bool:
    """Whether every lent connection is back in the pool, waiting up to `within` seconds."""
    pool, loop = queue_pool(engine), asyncio.get_running_loop()
    deadline = loop.time() + within
    while pool.checkedout():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


def lent_at_response_start(app: ASGIApp, engine: AsyncEngine, counts: list[int]) -> ASGIApp:
    """`app`, appending to `counts` how many connections are lent as each response starts."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                counts.append(queue_pool(engine).checkedout())
            await send(message)

        await app(scope, receive, counting_send)

    return asgi
