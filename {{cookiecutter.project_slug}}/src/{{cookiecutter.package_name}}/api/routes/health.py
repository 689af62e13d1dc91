"""Liveness and readiness probes for orchestrators and load balancers."""

import asyncio

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from {{ cookiecutter.package_name }}.api.deps import EngineDep

router = APIRouter(prefix="/health", tags=["health"])
logger = structlog.get_logger(__name__)

READY_TIMEOUT_SECONDS = 2.0


@router.get("/live")
async def get_liveness() -> dict[str, str]:
    """The process is up and serving; touches no dependency."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "A dependency is unavailable"}})
async def get_readiness(engine: EngineDep) -> JSONResponse:
    """The database answers within a bounded time; 503 names the failing check."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; the detail stays in our logs
        logger.warning("readiness_check_failed", check="database", error=repr(exc))
        return JSONResponse(
            {"status": "unavailable", "checks": {"database": "unavailable"}}, status_code=503
        )
    return JSONResponse({"status": "ok", "checks": {"database": "ok"}})
