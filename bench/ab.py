"""A/B: two revisions of the template, rendered and served side by side, loaded in turns.

`make bench` runs one service; its ratios move with the machine by +-0.1 between runs, which
hides a change of a few percent. This runs the same loads against two services at once (each
with its own database, both beside the reference app) and alternates which goes first in each
round: in one service's runs the first was always the slower, whichever service it was.

    git worktree add /tmp/kitsune-base main          # the revision to compare against
    uv run --no-sync python bench/ab.py --a /tmp/kitsune-base --b . --rounds 6

It prints, per load, each round's ratio of B to A and their median. Needs what `make bench`
needs (wrk, uv, PostgreSQL, Redis); it uses bench/run.py's settings and helpers.
"""

import argparse
import secrets
import statistics
import sys
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py, beside this file

LOADS = {  # key in run.build_loads -> wrk connections
    "health": 64,
    "users_me": 8,
    "items_list": 8,
    "items_get": 8,
}


def render(template: Path, out: Path, uv: str) -> tuple[Path, str]:
    cmd = [*run.cookiecutter_command(uv), "--no-input", "--output-dir", str(out), str(template)]
    out.mkdir(parents=True, exist_ok=True)
    run.run_checked(cmd, what="cookiecutter", cwd=template, env=run.base_env(), timeout=300)
    (project,) = [p for p in out.iterdir() if (p / "pyproject.toml").is_file()]
    (package,) = [p.parent.name for p in (project / "src").glob("*/main.py")]
    run.run_checked(
        [uv, "sync", "--compile-bytecode", "-q"],
        what="uv sync",
        cwd=project,
        env=run.base_env(),
        timeout=900,
    )
    return project, package


def serve(
    name: str, project: Path, package: str, cfg: run.Config, uv: str, out: Path
) -> tuple[run.Server, str]:
    """Create a database, migrate it, and start the service on it (as `make bench` does)."""
    python = project / ".venv" / "bin" / "python"
    db_name = f"kitsune_ab_{name}_{secrets.token_hex(3)}"
    server_dsn = cfg.pg_url.replace("+asyncpg", "", 1)
    db_url = urllib.parse.urlsplit(cfg.pg_url)._replace(path=f"/{db_name}").geturl()
    admin = [str(python), str(run.BENCH_DIR / "dbadmin.py")]
    run.run_checked(
        [*admin, "create", server_dsn, db_name],
        what="create database",
        cwd=project,
        env=run.base_env(),
        timeout=60,
    )
    _, image_env = run.dockerfile_runtime(project)
    env = run.production_env(
        image_env, db_url=db_url, redis_url=cfg.redis_url, redis_prefix=db_name
    )
    env.update(dict.fromkeys(run.rate_limit_settings(project), run.LIFTED_RATE_LIMIT))
    env.update({**run.dotenv(run.BENCH_DIR / "service.env"), **run.POOL_DEFAULTS})
    run.run_checked(
        [uv, "run", "--no-sync", "alembic", "upgrade", "head"],
        what="alembic upgrade head",
        cwd=project,
        env=env,
        timeout=120,
    )
    port = run.free_port()
    command, _ = run.service_command(project, package, port)
    server = run.start_server(
        name, command, cwd=project, env=env, port=port, log_path=out / f"{name}.log"
    )
    return server, db_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="template checkout A (the base)")
    parser.add_argument("--b", type=Path, required=True, help="template checkout B (the change)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--out", type=Path, default=run.ROOT / "build" / "ab")
    parser.add_argument("--loads", default=",".join(LOADS), help="comma-separated keys of LOADS")
    args = parser.parse_args(argv)
    chosen = {key: LOADS[key] for key in args.loads.split(",")}

    options = ["--skip-tests", "--login-users", "2", "--duration", str(args.duration)]
    cfg = run.parse_args([*options, "--out", str(args.out)])
    wrk, uv = run.find_wrk(), run.find_uv()
    if args.out.exists():
        run.shutil.rmtree(args.out)
    (args.out / "logs" / "wrk").mkdir(parents=True)
    (args.out / "lua").mkdir()
    servers: list[run.Server] = []
    databases: list[tuple[Path, str]] = []
    try:
        loads: dict[str, dict[str, run.Load]] = {}
        runners: dict[str, run.Bench] = {}
        reference: run.Server | None = None
        for name, template in (("a", args.a), ("b", args.b)):
            run.log(f"==> render and start {name}: {template}")
            project, package = render(template.resolve(), args.out / name, uv)
            server, db_name = serve(name, project, package, cfg, uv, args.out)
            servers.append(server)
            databases.append((project, db_name))
            if reference is None:
                port = run.free_port()
                reference = run.start_server(
                    "reference",
                    [
                        str(project / ".venv" / "bin" / "python"),
                        *("-m", "uvicorn", "reference_app:app", "--app-dir", str(run.BENCH_DIR)),
                        *("--host", run.HOST, "--port", str(port), "--loop", "uvloop"),
                        *("--http", "httptools", "--no-access-log"),
                    ],
                    cwd=project,
                    env={
                        **run.base_env(),
                        "REF_DATABASE_URL": run.urllib.parse.urlsplit(cfg.pg_url)
                        ._replace(path="/postgres")
                        .geturl(),
                        **run.POOL_DEFAULTS,
                    },
                    port=port,
                    log_path=args.out / "reference.log",
                )
                servers.append(reference)
                run.wait_ready(reference, "/ping")
            run.wait_ready(server, "/health/live")
            credentials = run.seed(server, cfg)
            loads[name] = run.build_loads(cfg, server, reference, credentials)
            runners[name] = run.Bench(cfg, wrk, args.out, credentials)
        for name in ("a", "b"):  # warm up, not recorded
            for key, connections in chosen.items():
                runners[name].once(loads[name][key], connections, 2)
        ratios: dict[str, list[float]] = {key: [] for key in chosen}
        for number in range(1, args.rounds + 1):
            order = ("a", "b") if number % 2 else ("b", "a")
            for key, connections in chosen.items():
                rps: dict[str, Any] = {}
                for name in order:
                    rps[name] = runners[name].once(loads[name][key], connections)["rps"]
                ratios[key].append(rps["b"] / rps["a"])
                run.log(
                    f"    round {number} ({'-'.join(order)}) {key:<10} @{connections:<3} "
                    f"A {rps['a']:8.1f}  B {rps['b']:8.1f}  B/A {rps['b'] / rps['a']:.3f}"
                )
        run.log("\nB/A per load: median (rounds)")
        for key, values in ratios.items():
            spread = ", ".join(f"{value:.2f}" for value in values)
            run.log(f"    {key:<10} @{chosen[key]:<3} {statistics.median(values):.3f}  ({spread})")
    finally:
        for server in servers:
            run.stop_server(server)
        for project, db_name in databases:
            admin = [str(project / ".venv" / "bin" / "python"), str(run.BENCH_DIR / "dbadmin.py")]
            run.run_checked(
                [*admin, "drop", cfg.pg_url.replace("+asyncpg", "", 1), db_name],
                what="drop database",
                cwd=project,
                env=run.base_env(),
                timeout=60,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
