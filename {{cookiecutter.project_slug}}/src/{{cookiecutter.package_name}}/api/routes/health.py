"""Liveness and readiness probes for orchestrators and load balancers."""

import asyncio
import time
from collections.abc import Awaitable, Callable

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.datastructures import State

router = APIRouter(prefix="/health", tags=["health"])
logger = structlog.get_logger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
# Checks whose failure degrades the service without stopping it. Redis holds only the rate
# limiter's counters: without it the limited routes answer 503 and every other route works,
# and leaving rotation would not help, since every instance shares that Redis.
DEGRADABLE_CHECKS = frozenset({"redis"})
{%- else %}
DEGRADABLE_CHECKS: frozenset[str] = frozenset()
{%- endif %}


@router.get("/live")
async def get_liveness() -> dict[str, str]:
    """The process is up and serving; touches no dependency."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "A dependency is unavailable"}})
async def get_readiness(request: Request) -> JSONResponse:
    """Every dependency answers; each is checked concurrently, within a bounded time.

    The body names each check with its status and latency. A failed check makes it 503,
    except a degradable one (DEGRADABLE_CHECKS), which is reported `degraded` with a 200.
    """
    state = request.app.state
    checks: dict[str, Callable[[], Awaitable[object]]] = {"database": lambda: _ping_db(state)}
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
    checks["redis"] = state.redis.ping
{%- endif %}
    results = await asyncio.gather(*(_timed(name, probe) for name, probe in checks.items()))
    report = dict(zip(checks, results, strict=True))
    failed = {name for name, result in report.items() if result["status"] != "ok"}
    for name in failed & DEGRADABLE_CHECKS:
        report[name] = {"status": "degraded"}
    if failed - DEGRADABLE_CHECKS:
        return JSONResponse({"status": "unavailable", "checks": report}, status_code=503)
    return JSONResponse({"status": "degraded" if failed else "ok", "checks": report})


async def _ping_db(state: State) -> None:
    async with state.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _timed(name: str, probe: Callable[[], Awaitable[object]]) -> dict[str, object]:
    start = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await probe()
    except Exception as exc:  # any failure means not ready; the detail stays in our logs
        logger.warning("readiness_check_failed", check=name, error=repr(exc))
        return {"status": "unavailable"}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - start) * 1000, 2)}
