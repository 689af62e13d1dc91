"""`make bench`: load-test the default variant against a bare reference app.

What one run does (standard library only; everything else is a subprocess):

1. renders the default variant with cookiecutter into the build folder (build/bench),
   installs it with `uv sync` and times its own test suite;
2. creates a throwaway PostgreSQL database, migrates it with the project's Alembic,
   starts the service the way its Dockerfile does (its CMD and ENV, but one worker on
   127.0.0.1; production settings, access log on, output to logs/service.log) and the bare
   reference app (bench/reference_app.py, same pool settings) side by side;
3. seeds through the HTTP API: a reader owning 100 items, a writer for the POST load, and
   the users the login load rotates through; rate limits are raised out of reach
   (--keep-rate-limits keeps them), Redis keys get a per-run prefix;
4. drives every load with wrk, round-robin (each round runs every endpoint at every
   connection count once, reference included), then one users/me run at 256 connections,
   then a login storm while a second, paced wrk measures /health/live latency;
5. reads the worker's resident memory, stops everything, drops the database, prints a
   Markdown table with PASS/FAIL per target and writes results.json and results.md.

The harness only uses the HTTP API and the command line, so it keeps working while the
service's internals change. Usage, from the template repository's root:

    python bench/run.py            # full run: 3 x 10 s per load and connection count
    python bench/run.py --quick    # smoke check: 1 x 3 s
    python bench/run.py --help     # every knob (BENCH_* environment variables too)
"""

import argparse
import base64
import contextlib
import http.client
import importlib.util
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
POOL_DEFAULTS = {
    "DB_POOL_SIZE": "20",
    "DB_MAX_OVERFLOW": "0",
    "DB_POOL_TIMEOUT": "10",
    "DB_POOL_RECYCLE": "1800",
}
SEED_ITEMS = 100
# Production rate limits (a few logins per minute) would turn the login load into a 429
# benchmark: every RATE_LIMIT_* setting is raised out of reach unless --keep-rate-limits.
# The limiter itself (and its Redis round trips) still runs on every request.
LIFTED_RATE_LIMIT = "1000000/minute"
KNOWN_RATE_LIMITS = (
    "RATE_LIMIT_LOGIN_ACCOUNT",
    "RATE_LIMIT_LOGIN_ADDRESS",
    "RATE_LIMIT_REGISTER_ADDRESS",
    "RATE_LIMIT_REFRESH_ADDRESS",
    "RATE_LIMIT_MFA_ACCOUNT",
    "RATE_LIMIT_MFA_ADDRESS",
)
BENCH_EMAIL = "bench@example.com"
WRITER_EMAIL = "bench-writer@example.com"
TOKEN_MAX_AGE = 600.0  # seconds; access tokens live 30 minutes by default
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# Dockerfile ENV values that describe the image's own layout, not the service's behaviour.
IMAGE_ONLY_ENV = frozenset({"PATH", "HOME", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "LANG"})
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

# Pass/fail thresholds (issue 6).
HEALTH_VS_PING = 0.80
ME_VS_DB = 0.75
LIST_VS_DB = 0.33
LOGIN_MIN_RPS = 40.0
STORM_P99_MAX_MS = 25.0
RSS_MAX_MB = 150.0
AT_REST_SECONDS = 3.0
SUITE_MAX_S = 30.0

SERVICE_LOADS = ("health", "users_me", "items_list", "items_get", "items_post", "login")
BUSY_WARNING = 0.15  # share of the CPU busy with other work before the load starts
STEAL_WARNING = 0.05  # share of the CPU the hypervisor took away during the load runs
HASH_SECONDS = 5  # how long bench/hash_ceiling.py verifies passwords


class BenchError(Exception):
    """A step of the harness failed; the message says which and why."""


def log(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- configuration


@dataclass
class Config:
    out: Path
    duration: int
    runs: int
    connections: list[int]
    heavy_connections: int
    threads: int
    timeout: int
    warmup: int
    login_users: int
    storm_connections: int
    probe_connections: int
    probe_delay_ms: int
    pg_url: str
    redis_url: str
    service_env: dict[str, str]
    context: list[str]
    skip_tests: bool
    test_args: list[str]
    quick: bool
    strict: bool
    keep_db: bool
    keep_rate_limits: bool


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _key_values(pairs: list[str], what: str) -> dict[str, str]:
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"{what} must look like KEY=VALUE, got {pair!r}")
        result[key] = value
    return result


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(
        description="Benchmark the default Kitsune variant against a bare FastAPI reference.",
        epilog="Environment: BENCH_DURATION, BENCH_RUNS, BENCH_CONNECTIONS, BENCH_THREADS, "
        "BENCH_PG_URL, BENCH_REDIS_URL, UV (uv binary), COOKIECUTTER, WRK.",
    )
    parser.add_argument("--quick", action="store_true", help="1 run of 3 s (smoke check)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument(
        "--duration", type=int, default=_env_int("BENCH_DURATION", 10), help="seconds per run"
    )
    parser.add_argument(
        "--runs", type=int, default=_env_int("BENCH_RUNS", 3), help="runs per load (3)"
    )
    parser.add_argument(
        "--connections",
        default=os.environ.get("BENCH_CONNECTIONS", "8,64"),
        help="comma-separated wrk connection counts (default 8,64)",
    )
    parser.add_argument(
        "--heavy-connections", type=int, default=256, help="the extra users/me run (256)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=_env_int("BENCH_THREADS", min(os.cpu_count() or 2, 4)),
        help="wrk threads (default: CPU count, at most 4)",
    )
    parser.add_argument("--timeout", type=int, default=10, help="wrk request timeout, seconds")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up seconds (default 3)")
    parser.add_argument(
        "--login-users", type=int, default=50, help="users the login load rotates through (50)"
    )
    parser.add_argument(
        "--storm-connections", type=int, default=8, help="login connections in the storm (8)"
    )
    parser.add_argument(
        "--probe-connections", type=int, default=4, help="/health/live probe connections (4)"
    )
    parser.add_argument(
        "--probe-delay-ms",
        type=int,
        default=20,
        help="pause between two probe requests on one connection (keeps the probe light)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
        help="a PostgreSQL server URL; a throwaway database is made on it",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="given to the service as REDIS_URL (with a per-run REDIS_PREFIX)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the service (and the reference app's pool settings)",
    )
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra cookiecutter context (default: the template's defaults)",
    )
    parser.add_argument(
        "--test-args",
        default="-q -p no:cacheprovider",
        help="pytest arguments for the suite timing (default '-q -p no:cacheprovider')",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "bench", help="build folder (build/bench)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--keep-rate-limits",
        action="store_true",
        help="keep the service's production rate limits (login and seeding will hit 429)",
    )
    args = parser.parse_args(argv)

    duration, runs = (3, 1) if args.quick else (args.duration, args.runs)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    connections = [int(c) for c in args.connections.split(",") if c.strip()]
    if duration < 1 or runs < 1 or not connections or min(connections) < 1:
        raise SystemExit("duration, runs and connection counts must be positive")
    _key_values(args.context, "--context")
    return Config(
        out=args.out.resolve(),
        duration=duration,
        runs=runs,
        connections=connections,
        heavy_connections=args.heavy_connections,
        threads=max(1, args.threads),
        timeout=args.timeout,
        warmup=warmup,
        login_users=max(1, args.login_users),
        storm_connections=args.storm_connections,
        probe_connections=args.probe_connections,
        probe_delay_ms=args.probe_delay_ms,
        pg_url=args.pg_url,
        redis_url=args.redis_url,
        service_env=_key_values(args.env, "--env"),
        context=args.context,
        skip_tests=args.skip_tests,
        test_args=args.test_args.split(),
        quick=args.quick,
        strict=args.strict,
        keep_db=args.keep_db,
        keep_rate_limits=args.keep_rate_limits,
    )


# --------------------------------------------------------------------------- tools


def find_wrk() -> str:
    found = shutil.which(os.environ.get("WRK", "wrk"))
    if not found:
        raise BenchError(
            "wrk is not installed. Install it (Debian/Ubuntu: `sudo apt-get install wrk`, "
            "macOS: `brew install wrk`) and run `make bench` again."
        )
    return found


def find_uv() -> str:
    candidates = [
        os.environ.get("UV"),
        "uv",
        str(ROOT / ".tools" / "bin" / "uv"),
        str(Path(sys.executable).parent / "uv"),
    ]
    for candidate in candidates:
        if candidate and (found := shutil.which(candidate)):
            return str(Path(found).absolute())
    raise BenchError("uv not found: put it on PATH, set UV=/path/to/uv, or run `make tools`")


def cookiecutter_command(uv: str) -> list[str]:
    if explicit := os.environ.get("COOKIECUTTER"):
        return [explicit]
    if importlib.util.find_spec("cookiecutter") is not None:
        return [sys.executable, "-m", "cookiecutter"]
    for candidate in ("cookiecutter", str(Path(sys.executable).parent / "cookiecutter")):
        if found := shutil.which(candidate):
            return [found]
    return [uv, "run", "--no-sync", "--project", str(ROOT), "cookiecutter"]


def base_env() -> dict[str, str]:
    """The parent's environment without anything that would point uv at another venv."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT", "CONDA_PREFIX"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def run_checked(
    cmd: list[str],
    *,
    what: str,
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    log_file: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what} did not finish within {timeout:.0f} s") from exc
    if log_file is not None:
        log_file.write_text(f"$ {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
        raise BenchError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def git_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' (uncommitted changes)' if dirty else ''}"


# --------------------------------------------------------------------------- processes


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    command: list[str]

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"


def start_server(
    name: str, cmd: list[str], *, cwd: Path, env: dict[str, str], port: int, log_path: Path
) -> Server:
    with log_path.open("wb") as log_handle:
        process = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
    return Server(name=name, port=port, process=process, log_path=log_path, command=cmd)


def wait_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(
                f"{server.name} exited with {server.process.returncode} while starting:\n"
                + log_tail(server.log_path)
            )
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _ = call(server.port, "GET", path, timeout=2, retries=0)
            if status == 200:
                return
        time.sleep(0.2)
    raise BenchError(
        f"{server.name} did not answer {path} within {STARTUP_TIMEOUT:.0f} s:\n"
        + log_tail(server.log_path)
    )


def stop_server(server: Server) -> None:
    if server.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=STOP_TIMEOUT)


def settle(server: Server, path: str, limit: float = 30.0) -> None:
    """Wait until the server has drained the backlog a load run leaves behind: two quick
    answers in a row (a closed-loop client stops, the server's queue does not)."""
    deadline = time.monotonic() + limit
    quick = 0
    while quick < 2 and time.monotonic() < deadline:
        start = time.perf_counter()
        with contextlib.suppress(OSError, http.client.HTTPException):
            call(server.port, "GET", path, timeout=limit, retries=0)
        quick = quick + 1 if time.perf_counter() - start < 0.02 else 0
        time.sleep(0.2)


def cpu_times() -> list[int] | None:
    """All CPUs' time counters since boot (the `cpu` line of /proc/stat); None where missing."""
    try:
        return [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return None


def cpu_busy(seconds: float) -> float:
    """Share of all CPUs busy over `seconds` (from /proc/stat); 0.0 where unavailable."""
    before = cpu_times()
    time.sleep(seconds)
    after = cpu_times()
    if not before or not after or len(before) < 5 or len(after) < 5:
        return 0.0
    total = sum(after) - sum(before)
    idle = (after[3] + after[4]) - (before[3] + before[4])  # idle + iowait
    return round(1 - idle / total, 3) if total > 0 else 0.0


def steal_share(before: list[int] | None, after: list[int] | None) -> float | None:
    """Share of the CPUs' time the hypervisor gave to other guests between two `cpu_times()`:
    on a virtual machine, time every process here lost, whatever it was doing."""
    if not before or not after or len(before) < 8 or len(after) < 8:
        return None
    total = sum(after) - sum(before)
    return round((after[7] - before[7]) / total, 3) if total > 0 else None


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:])


def _proc_status(pid: int) -> dict[str, int]:
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])  # kB
    return values


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rpartition(")")[2].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def worker_memory(server: Server) -> dict[str, Any]:
    """RSS and peak RSS (MB) of the largest process in the server's tree: the worker.

    With `--workers 1` uvicorn serves in the process it was started as; with a supervisor
    the worker is a child, and the largest process is the one serving."""
    best: dict[str, Any] = {"pid": None, "rss_mb": None, "peak_rss_mb": None}
    for pid in _descendants(server.process.pid):
        status = _proc_status(pid)
        rss = status.get("VmRSS", 0) / 1024
        if best["rss_mb"] is None or rss > best["rss_mb"]:
            best = {
                "pid": pid,
                "rss_mb": round(rss, 1),
                "peak_rss_mb": round(status.get("VmHWM", 0) / 1024, 1),
            }
    return best


# --------------------------------------------------------------------------- HTTP client


def call(
    port: int,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    token: str | None = None,
    timeout: float = 30,
    retries: int = 5,
) -> tuple[int, Any]:
    """One request; a 429 is retried after Retry-After (the service may rate-limit)."""
    headers = {"Accept": "application/json"}
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    for attempt in range(retries + 1):
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        if response.status != 429 or attempt == retries:
            break
        retry_after = response.getheader("Retry-After") or "1"
        time.sleep(min(float(retry_after) if retry_after.isdigit() else 1.0, 30.0))
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = raw.decode(errors="replace")
    return response.status, payload


def expect(result: tuple[int, Any], status: int, what: str) -> Any:
    got, payload = result
    if got != status:
        raise BenchError(f"{what}: expected HTTP {status}, got {got}: {payload}")
    return payload


# --------------------------------------------------------------------------- wrk


def lua_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


DONE_HOOK = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "\nBENCH_JSON {\"requests\":%.0f,\"duration_us\":%.0f,\"bytes\":%.0f,\"connect\":%.0f," ..
    "\"read\":%.0f,\"write\":%.0f,\"status\":%.0f,\"timeout\":%.0f,\"p50_us\":%.0f," ..
    "\"p90_us\":%.0f,\"p99_us\":%.0f,\"max_us\":%.0f,\"mean_us\":%.1f}\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def static_script(
    method: str = "GET",
    *,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    delay_ms: int = 0,
) -> str:
    lines = [f"wrk.method = {lua_string(method)}"]
    if body is not None:
        lines.append(f"wrk.body = {lua_string(body)}")
    for key, value in (headers or {}).items():
        lines.append(f"wrk.headers[{lua_string(key)}] = {lua_string(value)}")
    if delay_ms:
        lines.append(f"delay = function() return {delay_ms} end")
    return "\n".join(lines) + "\n" + DONE_HOOK


def rotating_post_script(bodies: list[str], content_type: str) -> str:
    """POST a different body on each request (wrk.format per request), threads offset."""
    table = ",\n  ".join(lua_string(body) for body in bodies)
    return (
        f"local bodies = {{\n  {table}\n}}\n"
        f'local headers = {{["Content-Type"] = {lua_string(content_type)}}}\n'
        "local threads = 0\n"
        "function setup(thread)\n"
        '  thread:set("offset", threads * 7)\n'
        "  threads = threads + 1\n"
        "end\n"
        "local i = 0\n"
        "function init(args)\n"
        "  i = offset or 0\n"
        "end\n"
        "request = function()\n"
        "  i = i + 1\n"
        '  return wrk.format("POST", nil, headers, bodies[(i % #bodies) + 1])\n'
        "end\n" + DONE_HOOK
    )


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _text_latency_ms(output: str, percentile: str) -> float | None:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    return float(match.group(1)) * _UNIT_MS[match.group(2)] if match else None


def parse_wrk(output: str) -> dict[str, Any]:
    """Figures from the done() hook's JSON line; wrk's own text as the fallback."""
    match = re.search(r"^BENCH_JSON (\{.*\})\s*$", output, re.MULTILINE)
    if match:
        data = json.loads(match.group(1))
        seconds = data["duration_us"] / 1_000_000 or 1
        return {
            "requests": int(data["requests"]),
            "rps": round(data["requests"] / seconds, 1),
            "p50_ms": round(data["p50_us"] / 1000, 2),
            "p90_ms": round(data["p90_us"] / 1000, 2),
            "p99_ms": round(data["p99_us"] / 1000, 2),
            "max_ms": round(data["max_us"] / 1000, 2),
            "non_2xx": int(data["status"]),
            "socket_errors": {
                key: int(data[key]) for key in ("connect", "read", "write", "timeout")
            },
        }
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not rps:
        raise BenchError(f"could not read wrk's output:\n{output[-2000:]}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    requests = re.search(r"(\d+) requests in", output)
    return {
        "requests": int(requests.group(1)) if requests else None,
        "rps": float(rps.group(1)),
        "p50_ms": _text_latency_ms(output, "50"),
        "p90_ms": _text_latency_ms(output, "90"),
        "p99_ms": _text_latency_ms(output, "99"),
        "max_ms": None,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": dict(
            zip(
                ("connect", "read", "write", "timeout"),
                (int(g) for g in sockets.groups()) if sockets else (0, 0, 0, 0),
                strict=True,
            )
        ),
    }


@dataclass
class Credentials:
    """The seeded accounts, with bearer tokens renewed before they can expire mid-run."""

    port: int
    password: str
    reader: str  # owns the 100 seeded items; every read is made as this user
    writer: str  # creates items under load, so the reader's list stays at 100 items
    login_emails: list[str]
    item_ids: list[int]
    tokens: dict[str, str] = field(default_factory=dict)
    issued: float = 0.0

    def token(self, email: str) -> str:
        if email not in self.tokens or time.monotonic() - self.issued > TOKEN_MAX_AGE:
            for user in (self.reader, self.writer):
                form = {"username": user, "password": self.password}
                payload = expect(
                    call(self.port, "POST", "/api/v1/auth/login", form=form), 200, "log in"
                )
                self.tokens[user] = payload["access_token"]
            self.issued = time.monotonic()
        return self.tokens[email]


ScriptFactory = Callable[[Credentials], str]


@dataclass
class Load:
    """One thing to load: an app, a path and the wrk script that requests it."""

    key: str
    label: str
    server: Server
    path: str
    script: ScriptFactory
    reference: str | None = None  # key of the reference load it is compared with
    idle_path: str = "/health/live"  # a cheap path on the same server, to wait for idle

    @property
    def url(self) -> str:
        return self.server.url(self.path)


def sample_line(label: str, connections: int, note: str, sample: dict[str, Any]) -> str:
    return (
        f"    {label:<28} c={connections:<4} {note}: {sample['rps']:>9.1f} req/s  "
        f"p50 {_fmt(sample['p50_ms']):>7} ms  p99 {_fmt(sample['p99_ms']):>8} ms  "
        f"non-2xx {sample['non_2xx']}  socket {sum(sample['socket_errors'].values())}"
        + (f"  steal {sample['steal']:.0%}" if sample.get("steal") is not None else "")
    )


def steal_summary(report: dict[str, Any]) -> tuple[float, float, str] | None:
    """The median and the highest steal of the load runs, and the row of the highest."""
    runs = [
        (sample["steal"], f"{result['label']} @{result['connections']}")
        for result in report.get("results", [])
        for sample in result["samples"]
        if sample.get("steal") is not None
    ]
    if not runs:
        return None
    worst = max(runs)
    return statistics.median(steal for steal, _ in runs), worst[0], worst[1]


@dataclass
class Bench:
    cfg: Config
    wrk: str
    out: Path
    credentials: Credentials
    counter: int = 0

    def command(self, load: Load, connections: int, duration: int, threads: int) -> list[str]:
        """wrk with a fresh copy of the load's script (tokens renewed when needed)."""
        self.counter += 1
        script = self.out / "lua" / f"{self.counter:03d}-{load.key}-c{connections}.lua"
        script.write_text(load.script(self.credentials))
        threads = max(1, min(threads, connections))
        return [
            *(self.wrk, "-t", str(threads), "-c", str(connections), "-d", f"{duration}s"),
            *("--timeout", f"{self.cfg.timeout}s", "--latency", "-s", str(script), load.url),
        ]

    def _save(self, command: list[str], output: str) -> None:
        name = Path(command[-2]).with_suffix(".txt").name
        (self.out / "logs" / "wrk" / name).write_text(f"$ {' '.join(command)}\n{output}")

    def once(self, load: Load, connections: int, duration: int | None = None) -> dict[str, Any]:
        duration = duration or self.cfg.duration
        cmd = self.command(load, connections, duration, self.cfg.threads)
        times = cpu_times()
        try:
            done = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=duration + self.cfg.timeout + 30,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"wrk on {load.label} did not stop in time") from exc
        steal = steal_share(times, cpu_times())
        self._save(cmd, done.stdout + done.stderr)
        load_average = round(os.getloadavg()[0], 2)
        settle(load.server, load.idle_path)
        if done.returncode != 0:
            raise BenchError(f"wrk on {load.label} failed: {done.stderr.strip()}")
        return {**parse_wrk(done.stdout), "load_average": load_average, "steal": steal}

    def measure(self, load: Load, connections: int, runs: int) -> dict[str, Any]:
        samples = []
        for number in range(1, runs + 1):
            samples.append(self.once(load, connections))
            log(sample_line(load.label, connections, f"run {number}/{runs}", samples[-1]))
        return summarize(load, connections, samples)

    def storm(
        self, storm: Load, probe: Load, storm_connections: int, probe_connections: int
    ) -> dict[str, Any]:
        """Both wrk processes at once: login load plus a light, paced /health/live probe."""
        duration = self.cfg.duration
        limit = duration + self.cfg.timeout + 30
        storm_cmd = self.command(storm, storm_connections, duration, 1)
        probe_cmd = self.command(probe, probe_connections, duration, 1)
        with (
            subprocess.Popen(storm_cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as a,
            subprocess.Popen(probe_cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as b,
        ):
            try:
                storm_out = a.communicate(timeout=limit)[0].decode(errors="replace")
                probe_out = b.communicate(timeout=limit)[0].decode(errors="replace")
            except subprocess.TimeoutExpired as exc:
                a.kill()
                b.kill()
                raise BenchError("wrk did not stop in time during the login storm") from exc
        self._save(storm_cmd, storm_out)
        self._save(probe_cmd, probe_out)
        settle(storm.server, storm.idle_path)
        if a.returncode or b.returncode:
            raise BenchError(f"wrk failed during the login storm:\n{storm_out}\n{probe_out}")
        return {"storm": parse_wrk(storm_out), "probe": parse_wrk(probe_out)}


def summarize(load: Load, connections: int, samples: list[dict[str, Any]]) -> dict[str, Any]:
    def median(key: str) -> float | None:
        values = [s[key] for s in samples if s.get(key) is not None]
        return round(statistics.median(values), 3) if values else None

    return {
        "key": load.key,
        "label": load.label,
        "app": load.server.name,
        "path": load.path,
        "connections": connections,
        "reference": load.reference,
        "rps": median("rps"),
        "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"),
        "p99_ms_worst": max((s["p99_ms"] or 0) for s in samples),
        "steal": median("steal"),
        "non_2xx": sum(s["non_2xx"] for s in samples),
        "socket_errors": sum(sum(s["socket_errors"].values()) for s in samples),
        "requests": sum(s["requests"] or 0 for s in samples),
        "samples": samples,
    }


# --------------------------------------------------------------------------- steps


def render(cfg: Config, uv: str) -> tuple[Path, str]:
    marker = cfg.out / ".kitsune-bench"
    if cfg.out.exists() and any(cfg.out.iterdir()):
        if not marker.exists() and cfg.out != ROOT / "build" / "bench":
            raise BenchError(f"{cfg.out} is not empty and was not made by bench: not removing it")
        shutil.rmtree(cfg.out)
    cfg.out.mkdir(parents=True, exist_ok=True)
    marker.write_text("made by bench/run.py; removed and rebuilt on every run\n")
    (cfg.out / "logs").mkdir()
    cmd = [
        *cookiecutter_command(uv),
        "--no-input",
        "--output-dir",
        str(cfg.out),
        str(ROOT),
        *cfg.context,
    ]
    run_checked(
        cmd,
        what="cookiecutter",
        cwd=ROOT,
        env=base_env(),
        timeout=300,
        log_file=cfg.out / "logs" / "render.log",
    )
    projects = [p for p in cfg.out.iterdir() if (p / "pyproject.toml").is_file()]
    if len(projects) != 1:
        raise BenchError(f"expected one rendered project in {cfg.out}, found {projects}")
    project = projects[0]
    packages = [p.parent.name for p in (project / "src").glob("*/main.py")]
    if len(packages) != 1:
        raise BenchError(f"cannot tell the package of {project}: {packages}")
    return project, packages[0]


def variant(cfg: Config) -> dict[str, Any]:
    """The choices the rendered variant is made with: the template's defaults (first choice,
    boolean as is) and any --context override."""
    values: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        for key, value in json.loads((ROOT / "cookiecutter.json").read_text()).items():
            if key.startswith("_"):
                continue
            if isinstance(value, list) and value:
                values[key] = value[0]
            elif isinstance(value, bool):
                values[key] = value
    values.update(_key_values(cfg.context, "--context"))
    return values


def dotenv(path: Path) -> dict[str, str]:
    values = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and key and not key.startswith("#"):
                values[key.strip()] = value.strip().strip("'\"")
    return values


def rate_limit_settings(project: Path) -> list[str]:
    """RATE_LIMIT_* names the rendered project knows: its .env.example and settings fields."""
    names = set(KNOWN_RATE_LIMITS)
    with contextlib.suppress(OSError):
        text = (project / ".env.example").read_text()
        names.update(re.findall(r"^#?\s*(RATE_LIMIT_[A-Z0-9_]+)=", text, re.MULTILINE))
    for path in (project / "src").glob("*/core/config.py"):
        with contextlib.suppress(OSError):
            fields = re.findall(r"^\s+(rate_limit_[a-z0-9_]+)\s*:", path.read_text(), re.MULTILINE)
            names.update(field.upper() for field in fields)
    return sorted(names)


def dockerfile_runtime(project: Path) -> tuple[list[str], dict[str, str]]:
    """The final stage's exec-form CMD and its plain ENV values (paths and uv settings,
    which only make sense inside the image, are left out)."""
    try:
        text = (project / "Dockerfile").read_text()
    except OSError:
        return [], {}
    text = re.sub(r"\\\n", " ", text)  # join continuation lines
    stage = re.split(r"^\s*FROM\s", text, flags=re.MULTILINE | re.IGNORECASE)[-1]
    env: dict[str, str] = {}
    for line in re.findall(r"^\s*ENV\s+(.*)$", stage, re.MULTILINE | re.IGNORECASE):
        with contextlib.suppress(ValueError):
            for word in shlex.split(line):
                key, sep, value = word.partition("=")
                image_only = key in IMAGE_ONLY_ENV or key.startswith("UV_")
                if sep and "$" not in value and not image_only:
                    env[key] = value
    words: list[str] = []
    with contextlib.suppress(ValueError, IndexError):
        cmds = re.findall(r"^\s*CMD\s+(\[.*\])\s*$", stage, re.MULTILINE | re.IGNORECASE)
        words = [str(word) for word in json.loads(cmds[-1])]
    return words, env


def production_env(
    image_env: dict[str, str], *, db_url: str, redis_url: str, redis_prefix: str
) -> dict[str, str]:
    """The service's environment in production, with fresh secrets: the image's ENV values,
    then the database, Redis (a per-run key prefix, so counters start fresh) and logging."""
    return {
        **base_env(),
        **image_env,
        "ENVIRONMENT": "production",
        "DATABASE_URL": db_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        # A Fernet key for TOTP secrets (production refuses to start without one).
        "MFA_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "LOG_LEVEL": "INFO",
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": redis_prefix,
    }


def service_command(project: Path, package: str, port: int) -> tuple[list[str], str]:
    """The Dockerfile's uvicorn CMD with one worker on 127.0.0.1, else the equivalent
    default. Returns the command and where it came from."""
    args = f"{package}.main:app --loop uvloop --http httptools --no-access-log".split()
    source = "default (no uvicorn CMD in the Dockerfile)"
    words, _ = dockerfile_runtime(project)
    names = [Path(word).name for word in words]
    if "uvicorn" in names:
        args = words[names.index("uvicorn") + 1 :]
        source = "Dockerfile CMD"
    for option, value in (("--host", HOST), ("--port", str(port)), ("--workers", "1")):
        args = _set_option(args, option, value)
    return [str(project / ".venv" / "bin" / "uvicorn"), *args], source


def _set_option(args: list[str], option: str, value: str) -> list[str]:
    result, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == option:
            skip = True
        elif not arg.startswith(option + "="):
            result.append(arg)
    return [*result, option, value]


def time_test_suite(cfg: Config, uv: str, project: Path) -> dict[str, Any]:
    env = base_env()
    for key in ("ENVIRONMENT", "DATABASE_URL", "SECRET_KEY", "LOG_LEVEL", "LOG_FORMAT"):
        env.pop(key, None)
    env["TEST_DATABASE_URL"] = cfg.pg_url
    cmd = [uv, "run", "--no-sync", "pytest", *cfg.test_args]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            cmd, cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False
        )
        output, returncode = done.stdout + done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        output, returncode = str(exc), -1
    seconds = round(time.perf_counter() - start, 2)
    (cfg.out / "logs" / "tests.log").write_text(f"$ {' '.join(cmd)}\n{output}")
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return {
        "command": " ".join(["uv", *cmd[1:]]),
        "seconds": seconds,
        "returncode": returncode,
        "summary": lines[-1].strip("= ") if lines else "",
    }


def versions(python: Path, project: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, platform\n"
        "names = ['fastapi', 'starlette', 'uvicorn', 'sqlalchemy', 'asyncpg', 'pydantic',"
        " 'structlog', 'uvloop', 'httptools']\n"
        "out = {'python': platform.python_version()}\n"
        "for n in names:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    with contextlib.suppress(subprocess.SubprocessError, ValueError, OSError):
        done = subprocess.run(
            [str(python), "-c", code],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(done.stdout)
    return {}


def hash_ceiling(python: Path, project: Path, package: str, env: dict[str, str]) -> dict[str, Any]:
    """Argon2id verifications a second this machine manages with the service's parameters on
    every CPU, nothing else running (bench/hash_ceiling.py): what logins can reach at best."""
    threads = os.cpu_count() or 1
    cmd = [
        str(python),
        str(BENCH_DIR / "hash_ceiling.py"),
        package,
        str(HASH_SECONDS),
        str(threads),
    ]
    try:
        done = subprocess.run(
            cmd, cwd=project, env=env, capture_output=True, text=True, timeout=120, check=True
        )
        return json.loads(done.stdout)
    except (subprocess.SubprocessError, ValueError, OSError) as exc:
        log(f"    could not measure the Argon2id ceiling: {exc}")
        return {}


def seed(service: Server, cfg: Config) -> Credentials:
    """The reader with 100 items, the writer, and the users the login load rotates through."""
    port = service.port
    password = secrets.token_urlsafe(18)
    login_emails = [BENCH_EMAIL] + [
        f"bench-login-{number}@example.com" for number in range(1, cfg.login_users)
    ]
    for email in [*login_emails, WRITER_EMAIL]:
        body = {"email": email, "password": password}
        expect(call(port, "POST", "/api/v1/users/", json_body=body), 201, f"register {email}")
    credentials = Credentials(port, password, BENCH_EMAIL, WRITER_EMAIL, login_emails, [])
    token = credentials.token(BENCH_EMAIL)
    for number in range(1, SEED_ITEMS + 1):
        body = {"title": f"Bench item {number}", "description": "Seeded by bench"}
        item = expect(
            call(port, "POST", "/api/v1/items/", json_body=body, token=token),
            201,
            f"create item {number}",
        )
        credentials.item_ids.append(item["id"])
    return credentials


def build_loads(
    cfg: Config, service: Server, reference: Server, creds: Credentials
) -> dict[str, Load]:
    item_id = creds.item_ids[len(creds.item_ids) // 2]
    login_bodies = [
        urllib.parse.urlencode({"username": email, "password": creds.password})
        for email in creds.login_emails
    ]
    item_body = json.dumps({"title": "Bench load item", "description": "Created under load"})

    def reader(c: Credentials) -> str:
        return static_script(headers={"Authorization": f"Bearer {c.token(c.reader)}"})

    def writer(c: Credentials) -> str:
        headers = {"Authorization": f"Bearer {c.token(c.writer)}", "Content-Type": JSON}
        return static_script("POST", headers=headers, body=item_body)

    def plain(_: Credentials) -> str:
        return static_script()

    def login(_: Credentials) -> str:
        return rotating_post_script(login_bodies, FORM)

    def probe(_: Credentials) -> str:
        return static_script(delay_ms=cfg.probe_delay_ms)

    specs: list[tuple[str, str, Server, str, ScriptFactory, str | None]] = [
        ("ref_ping", "reference GET /ping", reference, "/ping", plain, None),
        ("ref_db", "reference GET /db", reference, "/db", plain, None),
        ("health", "GET /health/live", service, "/health/live", plain, "ref_ping"),
        ("users_me", "GET /api/v1/users/me", service, "/api/v1/users/me", reader, "ref_db"),
        (
            "items_list",
            "GET /api/v1/items/?limit=100",
            service,
            "/api/v1/items/?limit=100",
            reader,
            "ref_db",
        ),
        (
            "items_get",
            "GET /api/v1/items/{id}",
            service,
            f"/api/v1/items/{item_id}",
            reader,
            "ref_db",
        ),
        ("items_post", "POST /api/v1/items/", service, "/api/v1/items/", writer, "ref_db"),
        ("login", "POST /api/v1/auth/login", service, "/api/v1/auth/login", login, "ref_db"),
        ("probe", "GET /health/live (probe)", service, "/health/live", probe, None),
    ]
    return {
        key: Load(
            key,
            label,
            server,
            path,
            script,
            ref,
            "/ping" if server is reference else "/health/live",
        )
        for key, label, server, path, script, ref in specs
    }


def preflight(loads: dict[str, Load], creds: Credentials) -> None:
    """Each request shape once by hand: a 3xx or 4xx here would make the load meaningless."""
    form = {"username": creds.login_emails[-1], "password": creds.password}
    checks: list[tuple[str, str, dict[str, Any]]] = [
        ("ref_ping", "GET", {}),
        ("ref_db", "GET", {}),
        ("health", "GET", {}),
        ("users_me", "GET", {"token": creds.token(creds.reader)}),
        ("items_list", "GET", {"token": creds.token(creds.reader)}),
        ("items_get", "GET", {"token": creds.token(creds.reader)}),
        (
            "items_post",
            "POST",
            {"token": creds.token(creds.writer), "json_body": {"title": "Preflight"}},
        ),
        ("login", "POST", {"form": form}),
    ]
    for key, method, kwargs in checks:
        load = loads[key]
        status, payload = call(load.server.port, method, load.path, **kwargs)
        if not 200 <= status < 300:
            raise BenchError(f"preflight {load.label}: HTTP {status}: {payload}")


# --------------------------------------------------------------------------- report


def ratio(result: dict[str, Any], by_key: dict[tuple[str, int], dict[str, Any]]) -> float | None:
    if not result["reference"]:
        return None
    ref = by_key.get((result["reference"], result["connections"]))
    if not ref or not ref["rps"]:
        return None
    return round(result["rps"] / ref["rps"], 3)


def round_ratios(
    result: dict[str, Any], by_key: dict[tuple[str, int], dict[str, Any]]
) -> list[float]:
    """The ratio of each round: a run and its reference's run of the same round, minutes
    apart. Their spread shows how much of a median ratio is the machine's noise."""
    ref = by_key.get((result["reference"], result["connections"])) if result["reference"] else None
    if not ref:
        return []
    return [
        round(run["rps"] / ref_run["rps"], 3)
        for run, ref_run in zip(result["samples"], ref["samples"], strict=False)
        if run["rps"] and ref_run["rps"]
    ]


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}" if len(values) > 1 else "-"


def evaluate(report: dict[str, Any]) -> list[dict[str, Any]]:
    by_key = {(r["key"], r["connections"]): r for r in report["results"]}
    targets: list[dict[str, Any]] = []

    def add(name: str, measured: str, threshold: str, ok: bool | None) -> None:
        verdict = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
        targets.append(
            {"target": name, "measured": measured, "threshold": threshold, "result": verdict}
        )

    def ratio_target(key: str, label: str, minimum: float, ref_label: str, conns: int) -> None:
        result = by_key.get((key, conns))
        value = ratio(result, by_key) if result else None
        rounds = round_ratios(result, by_key) if result else []
        spread = f"; rounds {_spread(rounds)}" if len(rounds) > 1 else ""
        add(
            f"{label} @{conns} vs reference {ref_label}",
            "not measured"
            if value is None
            # Three decimals: 0.7486 shown as "0.75x" next to ">= 0.75x" and FAIL would puzzle.
            else f"{value:.3f}x ({result['rps']:.0f} req/s{spread})",
            f">= {minimum:.2f}x",
            None if value is None else value >= minimum,
        )

    ratio_target("health", "/health/live", HEALTH_VS_PING, "/ping", 64)
    for conns in (8, 64):
        ratio_target("users_me", "users/me", ME_VS_DB, "/db", conns)
    for conns in report["config"]["connections"]:
        ratio_target("items_list", "items?limit=100", LIST_VS_DB, "/db", conns)
    ceiling = report["meta"].get("hash_ceiling", {}).get("per_second")
    for conns in report["config"]["connections"]:
        result = by_key.get(("login", conns))
        share = (
            f" ({result['rps'] / ceiling:.2f} of this machine's Argon2id ceiling, {ceiling:.0f}/s)"
            if result and ceiling
            else ""
        )
        add(
            f"login @{conns}",
            "not measured" if not result else f"{result['rps']:.1f} req/s{share}",
            f">= {LOGIN_MIN_RPS:.0f} req/s",
            None if not result else result["rps"] >= LOGIN_MIN_RPS,
        )
    storm = report.get("storm")
    if storm:
        add(
            "login storm: /health/live p99",
            f"{storm['probe']['p99_ms']:.2f} ms (worst run {storm['probe']['p99_ms_worst']:.2f})",
            f"< {STORM_P99_MAX_MS:.0f} ms",
            storm["probe"]["p99_ms"] < STORM_P99_MAX_MS,
        )
    runs = [*report["results"], *([storm["storm"], storm["probe"]] if storm else [])]
    bad = [f"{r['label']} @{r['connections']}" for r in runs if r["non_2xx"] or r["socket_errors"]]
    add(
        "zero non-2xx and socket errors in every run",
        "all clean" if not bad else "errors in: " + "; ".join(bad),
        "0",
        not bad,
    )
    heavy = report.get("heavy")
    add(
        f"users/me @{heavy['connections'] if heavy else '?'} zero errors",
        "not measured"
        if not heavy
        else f"{heavy['non_2xx']} non-2xx, {heavy['socket_errors']} socket, "
        f"{heavy['rps']:.0f} req/s",
        "0",
        None if not heavy else not (heavy["non_2xx"] or heavy["socket_errors"]),
    )
    memories = report.get("memory", {})
    memory = memories.get("at_rest") or memories.get("after_runs") or {}
    rss = memory.get("rss_mb")
    right_after = (memories.get("after_runs") or {}).get("rss_mb")
    add(
        f"worker RSS at rest after the runs ({AT_REST_SECONDS:.0f} s idle)",
        "not measured"
        if rss is None
        else f"{rss:.1f} MB (right after: {right_after:.1f} MB; "
        f"peak {memory['peak_rss_mb']:.1f} MB)",
        f"< {RSS_MAX_MB:.0f} MB",
        None if rss is None else rss < RSS_MAX_MB,
    )
    tests = report.get("tests")
    add(
        "default variant test suite",
        "skipped"
        if not tests
        else f"{tests['seconds']:.1f} s, exit {tests['returncode']} ({tests['summary']})",
        f"< {SUITE_MAX_S:.0f} s and passing",
        None if not tests else tests["seconds"] < SUITE_MAX_S and tests["returncode"] == 0,
    )
    return targets


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _steal_line(report: dict[str, Any]) -> str:
    steal = steal_summary(report)
    if steal is None:
        return "steal not measured (no /proc/stat)"
    median, highest, _ = steal
    return f"CPU taken by the hypervisor (steal) per run: median {median:.1%}, up to {highest:.1%}"


def markdown(report: dict[str, Any]) -> str:
    meta, cfg = report["meta"], report["config"]
    by_key = {(r["key"], r["connections"]): r for r in report["results"]}
    busy = "-" if meta["background_cpu_busy"] is None else f"{meta['background_cpu_busy']:.0%}"
    lines = [
        "# Kitsune benchmark",
        "",
        f"- date: {meta['date']}; template revision: {meta['revision']}",
        f"- machine: {meta['cpus']} CPUs shared by wrk, the service, the reference app and "
        f"PostgreSQL; CPU busy with other work before the load: {busy}; " + _steal_line(report),
        f"- load: wrk, {cfg['runs']} run(s) x {cfg['duration']} s per row, "
        f"{cfg['threads']} thread(s), timeout {cfg['timeout']} s; figures are medians over runs"
        + (" (QUICK MODE: indicative only)" if cfg["quick"] else ""),
        f"- variant: {meta['variant']}",
        "- data: reads as a user owning 100 items; POST /api/v1/items/ as a second user (the "
        f"reader's list stays at 100); login rotates over {cfg['login_users']} users",
        f"- service: `{meta['service_command']}` ({meta['service_command_source']}), "
        f"Dockerfile ENV {meta['dockerfile_env'] or '-'}, ENVIRONMENT=production, "
        f"LOG_LEVEL=INFO, bench/service.env {meta['bench_env'] or '-'}; "
        "output to logs/service.log",
        f"- rate limits: {meta['rate_limits']}",
        f"- pool: {meta['pool']}; versions: {meta['versions']}",
        "",
        "## Throughput and latency",
        "",
        "| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | socket err | reference req/s "
        "| ratio | ratio per round | steal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [*report["results"]]
    if report.get("heavy"):
        rows.append(report["heavy"])
    for r in rows:
        ref = by_key.get((r["reference"], r["connections"])) if r["reference"] else None
        value = ratio(r, by_key)
        lines.append(
            f"| {r['label']} | {r['connections']} | {_fmt(r['rps'], 1)} | {_fmt(r['p50_ms'])} "
            f"| {_fmt(r['p99_ms'])} | {r['non_2xx']} | {r['socket_errors']} "
            f"| {_fmt(ref['rps'], 1) if ref else '-'} | {_fmt(value)} "
            f"| {_spread(round_ratios(r, by_key))} "
            f"| {'-' if r.get('steal') is None else format(r['steal'], '.0%')} |"
        )
    storm = report.get("storm")
    if storm:
        lines += [
            "",
            "## Login storm",
            "",
            f"wrk #1 logs in with {cfg['storm_connections']} connections while wrk #2 requests "
            f"/health/live on {cfg['probe_connections']} connections, pausing "
            f"{cfg['probe_delay_ms']} ms between requests.",
            "",
            "| load | conns | req/s | p50 ms | p99 ms | non-2xx | socket err |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in (storm["baseline"], storm["storm"], storm["probe"]):
            lines.append(
                f"| {r['label']} | {r['connections']} | {_fmt(r['rps'], 1)} "
                f"| {_fmt(r['p50_ms'])} | {_fmt(r['p99_ms'])} | {r['non_2xx']} "
                f"| {r['socket_errors']} |"
            )
    ceiling = meta.get("hash_ceiling") or {}
    if ceiling.get("per_second"):
        lines += [
            "",
            f"This machine's Argon2id ceiling, with both apps idle: {ceiling['per_second']:.1f} "
            f"verifications a second on {ceiling['threads']} threads (time_cost "
            f"{ceiling['time_cost']}, memory_cost {ceiling['memory_cost']} KiB, parallelism "
            f"{ceiling['parallelism']}). A login also reads and writes the database and answers "
            "over HTTP on the same CPUs.",
        ]
    memory = report.get("memory", {})
    tests = report.get("tests")
    lines += ["", "## Memory and test suite", ""]
    for stage, value in memory.items():
        lines.append(
            f"- worker RSS {stage.replace('_', ' ')}: {_fmt(value.get('rss_mb'), 1)} MB "
            f"(peak {_fmt(value.get('peak_rss_mb'), 1)} MB)"
        )
    if tests:
        lines.append(
            f"- test suite (`{tests['command']}`): {tests['seconds']:.1f} s, "
            f"exit {tests['returncode']}: {tests['summary']}"
        )
    else:
        lines.append("- test suite: skipped")
    lines += [
        "",
        "## Targets",
        "",
        "| target | measured | threshold | result |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {t['target']} | {t['measured']} | {t['threshold']} | **{t['result']}** |"
        for t in report.get("targets", [])
    ]
    if (meta["background_cpu_busy"] or 0) > BUSY_WARNING:
        lines += [
            "",
            f"**Noisy machine:** {busy} of the CPU was busy with other work before the load "
            "started; compare ratios rather than absolute figures, or run again on a quiet "
            "machine.",
        ]
    steal = steal_summary(report)
    if steal and steal[0] > STEAL_WARNING:
        lines += [
            "",
            f"**Noisy machine:** the hypervisor took {steal[0]:.0%} of the CPU time during the "
            f"median run (up to {steal[1]:.0%}, in {steal[2]}). Steal comes and goes within "
            "minutes, so a ratio between two runs minutes apart is less sure than usual: "
            "read the ratio per round, or run again on a quieter host.",
        ]
    if report.get("error"):
        lines += ["", f"**The run stopped early:** {report['error']}"]
    return "\n".join(lines) + "\n"


def write_report(cfg: Config, report: dict[str, Any]) -> str:
    report["targets"] = evaluate(report)
    text = markdown(report)
    cfg.out.mkdir(parents=True, exist_ok=True)
    (cfg.out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (cfg.out / "results.md").write_text(text)
    return text


# --------------------------------------------------------------------------- main


def _on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the `finally` that cleans up


def bench(cfg: Config, report: dict[str, Any]) -> None:
    started = time.monotonic()

    def step(message: str) -> None:
        log(f"==> [{time.monotonic() - started:6.1f} s] {message}")

    wrk = find_wrk()
    uv = find_uv()
    step(f"render the default variant into {cfg.out}")
    project, package = render(cfg, uv)
    logs = cfg.out / "logs"
    (logs / "wrk").mkdir()
    (cfg.out / "lua").mkdir()
    step(f"install {project.name} (uv sync)")
    run_checked(
        [uv, "sync", "--compile-bytecode"],
        what="uv sync",
        cwd=project,
        env=base_env(),
        timeout=900,
        log_file=logs / "install.log",
    )
    python = project / ".venv" / "bin" / "python"
    report["meta"]["versions"] = versions(python, project)

    if not cfg.skip_tests:
        step("time the default variant's own test suite")
        report["tests"] = time_test_suite(cfg, uv, project)
        log(f"    {report['tests']['seconds']:.1f} s: {report['tests']['summary']}")

    pool = {**POOL_DEFAULTS}
    rendered_env = dotenv(project / ".env")
    pool.update({k: rendered_env[k] for k in POOL_DEFAULTS if k in rendered_env})
    pool.update({k: cfg.service_env[k] for k in POOL_DEFAULTS if k in cfg.service_env})
    report["meta"]["pool"] = pool

    db_name = f"kitsune_bench_{secrets.token_hex(4)}"
    server_dsn = cfg.pg_url.replace("+asyncpg", "", 1)
    db_url = urllib.parse.urlsplit(cfg.pg_url)._replace(path=f"/{db_name}").geturl()
    admin = [str(python), str(BENCH_DIR / "dbadmin.py")]
    step(f"create database {db_name}")
    run_checked(
        [*admin, "create", server_dsn, db_name],
        what="create database",
        cwd=project,
        env=base_env(),
        timeout=60,
    )
    servers: list[Server] = []
    try:
        lifted = (
            {}
            if cfg.keep_rate_limits
            else dict.fromkeys(rate_limit_settings(project), LIFTED_RATE_LIMIT)
        )
        report["meta"]["rate_limits"] = (
            "production defaults"
            if cfg.keep_rate_limits
            else f"{LIFTED_RATE_LIMIT} for {sorted(lifted)}"
        )
        bench_env = dotenv(BENCH_DIR / "service.env")
        report["meta"]["bench_env"] = bench_env
        _, image_env = dockerfile_runtime(project)
        report["meta"]["dockerfile_env"] = image_env
        service_env = production_env(
            image_env, db_url=db_url, redis_url=cfg.redis_url, redis_prefix=db_name
        )
        service_env.update({**lifted, **bench_env, **pool, **cfg.service_env})
        step("migrate (alembic upgrade head)")
        run_checked(
            [uv, "run", "--no-sync", "alembic", "upgrade", "head"],
            what="alembic upgrade head",
            cwd=project,
            env=service_env,
            timeout=120,
            log_file=logs / "migrate.log",
        )
        service_port, reference_port = free_port(), free_port()
        command, source = service_command(project, package, service_port)
        report["meta"]["service_command"] = " ".join([Path(command[0]).name, *command[1:]])
        report["meta"]["service_command_source"] = source
        step(f"start the service on {HOST}:{service_port} and the reference on :{reference_port}")
        service = start_server(
            "service",
            command,
            cwd=project,
            env=service_env,
            port=service_port,
            log_path=logs / "service.log",
        )
        servers.append(service)
        reference_env = {**base_env(), "REF_DATABASE_URL": db_url, **pool}
        reference_cmd = [
            str(python),
            "-m",
            "uvicorn",
            "reference_app:app",
            "--app-dir",
            str(BENCH_DIR),
            "--host",
            HOST,
            "--port",
            str(reference_port),
            "--workers",
            "1",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
        ]
        reference = start_server(
            "reference",
            reference_cmd,
            cwd=project,
            env=reference_env,
            port=reference_port,
            log_path=logs / "reference.log",
        )
        servers.append(reference)
        wait_ready(service, "/health/live")
        wait_ready(reference, "/ping")
        report["memory"]["after_start"] = worker_memory(service)

        step(
            f"seed: a reader with {SEED_ITEMS} items, a writer, "
            f"{cfg.login_users - 1} more users for login"
        )
        credentials = seed(service, cfg)
        loads = build_loads(cfg, service, reference, credentials)
        preflight(loads, credentials)
        report["memory"]["after_seed"] = worker_memory(service)

        runner = Bench(cfg, wrk, cfg.out, credentials)
        top = max(cfg.connections)
        step(f"warm up ({cfg.warmup} s per load, not recorded)")
        for key in ("ref_ping", "ref_db", "health", "users_me", "items_list"):
            runner.once(loads[key], top, cfg.warmup)
        report["meta"]["background_cpu_busy"] = cpu_busy(3.0)
        if report["meta"]["background_cpu_busy"] > BUSY_WARNING:
            log(
                f"    WARNING: {report['meta']['background_cpu_busy']:.0%} of the CPU is busy "
                "with other work while both apps are idle: expect noisy figures"
            )

        # Round-robin: every load once per round, so slow drift and other work on the
        # machine spread over all rows alike instead of skewing one of them.
        plan = [
            (loads[key], conns)
            for key in ("ref_ping", "ref_db", *SERVICE_LOADS)
            for conns in cfg.connections
        ]
        samples: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for number in range(1, cfg.runs + 1):
            step(f"round {number}/{cfg.runs}: {len(plan)} runs of {cfg.duration} s")
            for load, conns in plan:
                sample = runner.once(load, conns)
                samples.setdefault((load.key, conns), []).append(sample)
                log(sample_line(load.label, conns, f"run {number}/{cfg.runs}", sample))
        report["results"] = [
            summarize(load, conns, samples[load.key, conns]) for load, conns in plan
        ]
        step(f"users/me at {cfg.heavy_connections} connections (1 run)")
        report["heavy"] = runner.measure(loads["users_me"], cfg.heavy_connections, 1)

        step("the machine's Argon2id ceiling (both apps idle)")
        report["meta"]["hash_ceiling"] = hash_ceiling(python, project, package, service_env)
        log(f"    {report['meta']['hash_ceiling']}")

        step("login storm: /health/live latency alone, then under login load")
        baseline = runner.measure(loads["probe"], cfg.probe_connections, 1)
        storms, probes = [], []
        for number in range(1, cfg.runs + 1):
            pair = runner.storm(
                loads["login"], loads["probe"], cfg.storm_connections, cfg.probe_connections
            )
            storms.append(pair["storm"])
            probes.append(pair["probe"])
            log(sample_line("login (storm)", cfg.storm_connections, f"run {number}", pair["storm"]))
            log(
                sample_line(
                    "/health/live (probe)", cfg.probe_connections, f"run {number}", pair["probe"]
                )
            )
        report["storm"] = {
            "baseline": {**baseline, "label": "GET /health/live alone"},
            "storm": {
                **summarize(loads["login"], cfg.storm_connections, storms),
                "label": "POST /api/v1/auth/login (storm)",
            },
            "probe": {
                **summarize(loads["probe"], cfg.probe_connections, probes),
                "label": "GET /health/live during storm",
            },
        }
        report["memory"]["after_runs"] = worker_memory(service)
        log(f"    worker RSS after runs: {report['memory']['after_runs']}")
        # The service hands its hashing buffers back to the OS a second after the last hash,
        # so what a worker holds between bursts is read after a short pause.
        time.sleep(AT_REST_SECONDS)
        report["memory"]["at_rest"] = worker_memory(service)
        log(f"    worker RSS at rest: {report['memory']['at_rest']}")
    finally:
        for server in servers:
            stop_server(server)
        if cfg.keep_db:
            log(f"    kept database {db_name}")
        else:
            with contextlib.suppress(BenchError):
                run_checked(
                    [*admin, "drop", server_dsn, db_name],
                    what="drop database",
                    cwd=project,
                    env=base_env(),
                    timeout=60,
                )
    step("done")


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    report: dict[str, Any] = {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "revision": git_revision(),
            "cpus": os.cpu_count(),
            "service_command": "-",
            "service_command_source": "-",
            "pool": {},
            "rate_limits": "-",
            "background_cpu_busy": None,
            "hash_ceiling": {},
            "dockerfile_env": {},
            "bench_env": {},
            "variant": variant(cfg),
            "versions": {},
        },
        "config": {
            "duration": cfg.duration,
            "runs": cfg.runs,
            "connections": cfg.connections,
            "heavy_connections": cfg.heavy_connections,
            "threads": cfg.threads,
            "timeout": cfg.timeout,
            "login_users": cfg.login_users,
            "storm_connections": cfg.storm_connections,
            "probe_connections": cfg.probe_connections,
            "probe_delay_ms": cfg.probe_delay_ms,
            "context": cfg.context,
            "service_env_overrides": sorted(cfg.service_env),
            "quick": cfg.quick,
        },
        "results": [],
        "memory": {},
    }
    status = 0
    try:
        bench(cfg, report)
    except BenchError as exc:
        report["error"] = str(exc)
        log(f"\nbench: {exc}")
        status = 2
    except KeyboardInterrupt:
        log("\nbench: interrupted (servers stopped, database dropped)")
        return 130
    if status and not report["results"]:
        return status  # nothing measured: keep any earlier results as they are
    text = write_report(cfg, report)
    log("\n" + text)
    log(f"Written: {cfg.out / 'results.md'} and {cfg.out / 'results.json'}")
    if status == 0 and cfg.strict and any(t["result"] == "FAIL" for t in report["targets"]):
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
