"""The machine's own ceiling for logins: Argon2id verifications a second, nothing else running.

Run by `bench/run.py` with the rendered service's virtual environment and environment, so
the parameters are the service's own settings (`ARGON2_*`) and the library is its pwdlib:

    python bench/hash_ceiling.py PACKAGE SECONDS THREADS

It verifies one password on THREADS threads for SECONDS and prints JSON. argon2-cffi lets go
of the GIL while it hashes, as in the service (which hashes in worker threads), so this is
what the CPUs can do at best; a login also reads and writes the database and answers over
HTTP on the same cores.
"""

import importlib
import json
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from pwdlib.hashers.argon2 import Argon2Hasher

SAMPLE = secrets.token_urlsafe(16)  # any password: only the hashing cost matters


def main(package: str, seconds: float, threads: int) -> None:
    settings = importlib.import_module(f"{package}.core.config").Settings()
    params = {
        "time_cost": settings.argon2_time_cost,
        "memory_cost": settings.argon2_memory_cost,
        "parallelism": settings.argon2_parallelism,
    }
    hasher = Argon2Hasher(**params)
    hashed = hasher.hash(SAMPLE)

    def verify_until(deadline: float) -> int:
        count = 0
        while time.monotonic() < deadline:
            if not hasher.verify(SAMPLE, hashed):
                raise SystemExit("the hash did not verify")
            count += 1
        return count

    started = time.monotonic()
    deadline = started + seconds
    with ThreadPoolExecutor(threads) as pool:
        counts = list(pool.map(verify_until, [deadline] * threads))
    elapsed = time.monotonic() - started
    print(json.dumps({"per_second": round(sum(counts) / elapsed, 1), "threads": threads, **params}))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
