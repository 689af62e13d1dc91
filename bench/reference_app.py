"""The bare reference app: the ceiling every service figure is compared with.

FastAPI with nothing added: no middleware, no logging, no settings, no sessions.

* `GET /ping` returns a small dict: the cost of FastAPI + uvicorn alone.
* `GET /db` runs `SELECT 1` through an async SQLAlchemy engine whose pool is set up like
  the service's (size, overflow, timeout and pre-ping from the environment).

It is started by `bench/run.py` with the rendered service's own virtual environment
(which has FastAPI, SQLAlchemy, asyncpg and uvicorn), so both use the same library versions:

    REF_DATABASE_URL=postgresql+asyncpg://... uvicorn reference_app:app --app-dir bench
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(
    os.environ["REF_DATABASE_URL"],
    pool_size=int(os.environ.get("DB_POOL_SIZE", "20")),
    max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "0")),
    pool_timeout=float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    pool_recycle=int(os.environ.get("DB_POOL_RECYCLE", "1800")),
    pool_pre_ping=os.environ.get("REF_POOL_PRE_PING", "1") == "1",
)
SELECT_ONE = text("SELECT 1")


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/db")
async def db() -> dict[str, int]:
    async with engine.connect() as connection:
        value = (await connection.execute(SELECT_ONE)).scalar_one()
    return {"db": value}
