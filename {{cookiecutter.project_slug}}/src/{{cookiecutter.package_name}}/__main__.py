"""Command line: `{{ cookiecutter.package_name }} <command>` (run with `uv run`)."""

import argparse
import sys
from collections.abc import Sequence

import uvicorn

{% if cookiecutter.use_auth -%}
from {{ cookiecutter.package_name }} import cli
{% endif -%}
from {{ cookiecutter.package_name }}.core.config import Settings, settings_or_exit


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="{{ cookiecutter.package_name }}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", help="address to listen on (default: the HOST setting)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT)")
    serve.add_argument("--workers", type=int, help="worker processes (default: WORKERS)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
{%- if cookiecutter.use_auth %}

    admin = commands.add_parser("create-admin", help="create a user with the admin role")
    admin.add_argument("--email", required=True)
    admin.add_argument("--full-name", default=None)

    commands.add_parser(
        "rotate-mfa-keys", help="re-encrypt TOTP secrets under the first MFA_ENCRYPTION_KEYS key"
    )
{%- endif %}
    return parser


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run uvicorn, believing X-Forwarded-* only from the proxies in FORWARDED_ALLOW_IPS.

    Left to itself, uvicorn believes them from the peers in its own FORWARDED_ALLOW_IPS
    reading, 127.0.0.1 when unset: behind any local forwarder, clients would choose the
    address the service records for them. An empty setting believes no one.
    """
    workers = args.workers if args.workers is not None else settings.workers
{%- if cookiecutter.use_auth and not cookiecutter.use_redis %}
    if workers > 1 and settings.is_production:
        print(
            f"serve: {workers} workers refused in production: the rate-limit counters live in "
            "each process's memory, so every limit would be multiplied by the worker count. "
            "Run 1 worker (WORKERS=1 or --workers 1), or keep the counters in Redis "
            "(regenerate with use_redis=true).",
            file=sys.stderr,
        )
        return 2
{%- endif %}
    trusted = ",".join(settings.forwarded_allow_ips)
    uvicorn.run(
        "{{ cookiecutter.package_name }}.main:app",
        host=args.host if args.host is not None else settings.host,
        port=args.port if args.port is not None else settings.port,
        workers=workers,
        reload=args.reload,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted,
        server_header=False,
        timeout_graceful_shutdown=settings.shutdown_timeout,
        # The app logs each request itself (structured, with the request id).
        access_log=False,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings_or_exit()  # every command needs them: refuse bad ones before any work
    if args.command == "serve":
        return serve(args, settings)
{%- if cookiecutter.use_auth %}
    if args.command == "create-admin":
        return cli.create_admin(email=args.email, full_name=args.full_name)
    if args.command == "rotate-mfa-keys":
        return cli.rotate_mfa_keys()
{%- endif %}
    return 2


if __name__ == "__main__":
    sys.exit(main())
