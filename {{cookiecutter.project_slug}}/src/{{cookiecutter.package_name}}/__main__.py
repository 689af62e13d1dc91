"""Command line: `{{ cookiecutter.package_name }} <command>` (run with `uv run`)."""

import argparse
import sys
from collections.abc import Sequence

import uvicorn
{%- if cookiecutter.use_auth %}

from {{ cookiecutter.package_name }} import cli
{%- endif %}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="{{ cookiecutter.package_name }}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        uvicorn.run(
            "{{ cookiecutter.package_name }}.main:app",
            host=args.host,
            port=args.port,
            reload=args.reload,
            access_log=False,
        )
        return 0
{%- if cookiecutter.use_auth %}
    if args.command == "create-admin":
        return cli.create_admin(email=args.email, full_name=args.full_name)
    if args.command == "rotate-mfa-keys":
        return cli.rotate_mfa_keys()
{%- endif %}
    return 2


if __name__ == "__main__":
    sys.exit(main())
