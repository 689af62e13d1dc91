"""Create or drop the benchmark's throwaway PostgreSQL database (no psql needed).

Run by `bench/run.py` with the rendered service's virtual environment, which has asyncpg:

    python bench/dbadmin.py create|drop postgresql://postgres@127.0.0.1:5432/postgres NAME
"""

import asyncio
import re
import sys

import asyncpg

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


async def main(action: str, server_dsn: str, name: str) -> None:
    if not NAME.match(name):
        raise SystemExit(f"refusing database name {name!r}")
    connection = await asyncpg.connect(server_dsn, timeout=10)
    try:
        if action == "create":
            await connection.execute(f'CREATE DATABASE "{name}"')
        elif action == "drop":
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            raise SystemExit(f"unknown action {action!r}: use create or drop")
    finally:
        await connection.close()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    asyncio.run(main(*sys.argv[1:]))
