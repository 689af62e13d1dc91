"""Process-wide settings of the Python runtime for a long-running server."""

import ctypes
import gc
from collections.abc import Callable

# (young, middle, old). CPython's default young threshold, 700, starts a collection every
# couple of requests here; 10,000 does it every few dozen, and each pass is still short.
GC_THRESHOLDS = (10_000, 10, 10)


def tune_gc() -> None:
    """Keep the cyclic garbage collector off the request path as far as it can be.

    Everything alive once the application is built (modules, classes, schemas, routes) lives
    as long as the process, yet each full collection walks all of it again, stalling every
    request in flight. `gc.freeze()` moves those objects out of the collector's sight; then
    the young generation is collected less often. Garbage is still collected; only its
    bookkeeping gets cheaper (docs/architecture.md, decision 22).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _load_malloc_trim() -> Callable[[], object]:
    """glibc's malloc_trim(0), or a no-op where there is no glibc (musl, macOS)."""
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    return lambda: trim(0)


# Hands freed heap memory back to the operating system: glibc keeps what large, short-lived
# allocations freed in its arenas, so a worker would otherwise hold a burst's peak until it
# exits.{% if cookiecutter.use_auth %} The password hasher calls it once idle (an Argon2id hash takes its whole
# memory_cost).{% endif %}
release_free_memory = _load_malloc_trim()
