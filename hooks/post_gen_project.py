"""Shape the freshly rendered project to the chosen options, then say what to do next.

Cookiecutter renders this file with Jinja and runs it inside the new project folder. Optional
features live in whole files that are always rendered and removed here when their option is off;
each remove_<feature>_files() lists its paths, and a path that no longer exists is an error, so a
renamed file fails the template's tests instead of silently surviving in every project.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

# The answers, JSON-encoded by Jinja so that booleans stay booleans. The space before the closing
# quotes keeps the JSON's own final quote from touching them.
RENDERED_ANSWERS = {
    "project_slug": r"""{{ cookiecutter.project_slug | tojson }} """,
    "package_name": r"""{{ cookiecutter.package_name | tojson }} """,
    "database": r"""{{ cookiecutter.database | tojson }} """,
    "use_auth": r"""{{ cookiecutter.use_auth | tojson }} """,
    "use_redis": r"""{{ cookiecutter.use_redis | tojson }} """,
    "use_prometheus": r"""{{ cookiecutter.use_prometheus | tojson }} """,
    "use_opentelemetry": r"""{{ cookiecutter.use_opentelemetry | tojson }} """,
    "use_docker": r"""{{ cookiecutter.use_docker | tojson }} """,
    "ci": r"""{{ cookiecutter.ci | tojson }} """,
}

# Paths relative to the project root; {package} is the import package under src/.
AUTH_PATHS = (
    "src/{package}/cli.py",
    "src/{package}/core/security.py",
    "src/{package}/core/ratelimit.py",
    "src/{package}/models/user.py",
    "src/{package}/models/session.py",
    "src/{package}/schemas/user.py",
    "src/{package}/schemas/auth.py",
    "src/{package}/repositories/user.py",
    "src/{package}/repositories/session.py",
    "src/{package}/services/user.py",
    "src/{package}/services/auth.py",
    "src/{package}/services/reauthentication.py",
    "src/{package}/services/registration.py",
    "src/{package}/templates/registration_attempt.txt",
    "src/{package}/templates/registration_attempt.html",
    "src/{package}/api/routes/users.py",
    "src/{package}/api/auth_deps.py",
    "src/{package}/api/audit_context.py",
    "src/{package}/api/routes/auth.py",
    "migrations/versions/2026_11_22_0002_auth_sessions.py",
    "migrations/versions/2026_11_22_0003_roles_and_audit_log.py",
    "src/{package}/core/email.py",
    "src/{package}/models/password_reset.py",
    "src/{package}/repositories/password_reset.py",
    "src/{package}/services/password_reset.py",
    "src/{package}/templates/password_reset.txt",
    "src/{package}/templates/password_reset.html",
    "migrations/versions/2026_11_22_0004_password_reset_tokens.py",
    "tests/api/test_password_reset.py",
    "src/{package}/core/mfa.py",
    "src/{package}/models/mfa.py",
    "src/{package}/repositories/mfa.py",
    "src/{package}/services/mfa.py",
    "migrations/versions/2026_11_30_0005_mfa.py",
    "tests/api/test_mfa.py",
    "tests/unit/core/test_mfa.py",
    "tests/integration/test_mfa_key_rotation.py",
    "src/{package}/core/permissions.py",
    "src/{package}/core/context.py",
    "src/{package}/models/audit.py",
    "src/{package}/repositories/audit.py",
    "src/{package}/schemas/admin.py",
    "src/{package}/services/admin.py",
    "src/{package}/services/audit.py",
    "src/{package}/api/routes/admin.py",
    "docs/PERMISSIONS.md",
    "tests/unit/core/test_permissions.py",
    "tests/unit/services/test_admin.py",
    "tests/api/test_admin.py",
    "tests/integration/test_audit_atomicity.py",
    "tests/password_check.py",
    "tests/unit/core/test_security.py",
    "tests/unit/services/test_user.py",
    "tests/unit/services/test_auth.py",
    "tests/integration/test_user_repository.py",
    "tests/api/test_users.py",
    "tests/api/test_auth.py",
    "tests/api/test_tokens.py",
    "tests/api/test_rate_limits.py",
    "tests/api/test_timing.py",
)
# Redis-only modules (Redis settings and dependencies are Jinja conditionals in shared files).
REDIS_PATHS: tuple[str, ...] = ()
PROMETHEUS_PATHS = ("src/{package}/api/metrics.py", "tests/api/test_metrics.py")
OPENTELEMETRY_PATHS = ("src/{package}/core/tracing.py", "tests/api/test_tracing.py")
DOCKER_PATHS = ("Dockerfile", ".dockerignore", "compose.yaml")
CI_PATHS = (".github",)

# Modules whose shape auth changes (a caller in every route signature) are kept as two whole
# files instead of Jinja inside signatures: without auth the second replaces the first.
AUTH_ALTERNATIVES = (
    ("src/{package}/api/routes/items.py", "src/{package}/api/routes/items_without_auth.py"),
)

EMPTY_KEY_LINE = "SECRET_KEY="
# With auth: the key that encrypts TOTP secrets, filled the same way when its line is there.
EMPTY_MFA_KEY_LINE = "MFA_ENCRYPTION_KEYS="
DOCS_URL = "http://127.0.0.1:8000/docs"


def load_answers(rendered: dict[str, str] | None = None) -> dict[str, object]:
    """Decode the JSON-encoded answers that Jinja rendered into RENDERED_ANSWERS."""
    rendered = RENDERED_ANSWERS if rendered is None else rendered
    return {option: json.loads(value) for option, value in rendered.items()}


def remove_paths(root: Path, paths: Iterable[str]) -> list[Path]:
    """Delete files and folders under root; refuse, before deleting anything, if one is missing."""
    targets = [root / path for path in paths]
    missing = [str(target.relative_to(root)) for target in targets if not target.exists()]
    if missing:
        raise FileNotFoundError(f"nothing to remove at {', '.join(missing)} (renamed?)")
    for target in targets:
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
    return targets


def remove_auth_files(root: Path, package_name: str) -> list[Path]:
    """Remove users, JWT login and their tests (use_auth=n)."""
    return remove_paths(root, (path.format(package=package_name) for path in AUTH_PATHS))


def keep_auth_alternatives(root: Path, package_name: str, *, use_auth: bool) -> list[Path]:
    """Keep, of each pair in AUTH_ALTERNATIVES, the file for the answer, under the first name;
    refuse, before changing anything, if a file of a pair is missing."""
    pairs = [
        (root / kept.format(package=package_name), root / other.format(package=package_name))
        for kept, other in AUTH_ALTERNATIVES
    ]
    missing = [str(path.relative_to(root)) for pair in pairs for path in pair if not path.exists()]
    if missing:
        raise FileNotFoundError(f"nothing to keep at {', '.join(missing)} (renamed?)")
    for with_auth, without_auth in pairs:
        if use_auth:
            without_auth.unlink()
        else:
            os.replace(without_auth, with_auth)
    return [with_auth for with_auth, _ in pairs]


def remove_redis_files(root: Path, package_name: str) -> list[Path]:
    """Remove files only the Redis-backed rate-limit store needs (use_redis=n; none today)."""
    return remove_paths(root, (path.format(package=package_name) for path in REDIS_PATHS))


def remove_prometheus_files(root: Path, package_name: str) -> list[Path]:
    """Remove the metrics middleware, the /metrics endpoint and their tests (use_prometheus=n)."""
    return remove_paths(root, (path.format(package=package_name) for path in PROMETHEUS_PATHS))


def remove_opentelemetry_files(root: Path, package_name: str) -> list[Path]:
    """Remove the tracing set-up and its tests (use_opentelemetry=n)."""
    return remove_paths(root, (path.format(package=package_name) for path in OPENTELEMETRY_PATHS))


def remove_docker_files(root: Path) -> list[Path]:
    """Remove the image build and the compose stack (use_docker=n)."""
    return remove_paths(root, DOCKER_PATHS)


def remove_ci_files(root: Path) -> list[Path]:
    """Remove the GitHub Actions workflows (ci=none)."""
    return remove_paths(root, CI_PATHS)


def remove_empty_dirs(root: Path) -> list[Path]:
    """Delete folders left empty by the removals, deepest first; root itself stays."""
    removed = []
    for folder, _subfolders, _files in os.walk(root, topdown=False):
        path = Path(folder)
        if path != root and not any(path.iterdir()):
            path.rmdir()
            removed.append(path)
    return removed


def new_fernet_key() -> str:
    """32 random bytes, URL-safe base64: the format of a Fernet key, made without cryptography."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def write_env_file(root: Path, token: str | None = None, mfa_key: str | None = None) -> Path | None:
    """Copy .env.example to a git-ignored .env whose SECRET_KEY (and MFA_ENCRYPTION_KEYS, when
    the example has that empty line) are freshly generated.

    The secrets are made here rather than rendered into a tracked file, so template updates
    (cruft) never see them change. An existing .env is kept: it may hold the user's own settings.
    Returns the path written, or None if .env already existed.
    """
    example = root / ".env.example"
    target = root / ".env"
    if target.exists():
        return None
    lines = example.read_text(encoding="utf-8").splitlines(keepends=True)
    slots = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == EMPTY_KEY_LINE]
    if len(slots) != 1:
        raise ValueError(f"{example} needs exactly one empty '{EMPTY_KEY_LINE}' line")
    newline = lines[slots[0]][len(EMPTY_KEY_LINE) :]
    lines[slots[0]] = f"{EMPTY_KEY_LINE}{token or secrets.token_urlsafe(48)}{newline}"
    for i, line in enumerate(lines):
        if line.rstrip("\r\n") == EMPTY_MFA_KEY_LINE:
            ending = line[len(EMPTY_MFA_KEY_LINE) :]
            lines[i] = f"{EMPTY_MFA_KEY_LINE}{mfa_key or new_fernet_key()}{ending}"
    # Owner-only from the first byte: the file holds a signing secret.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(descriptor, "w", encoding="utf-8", newline="") as env_file:
        env_file.writelines(lines)
    return target


def next_steps(
    *, project_slug: str, package_name: str, database: str, use_redis: bool, use_docker: bool
) -> str:
    """The few commands that take a fresh project to a running server."""
    steps = [
        f"Created {project_slug}, with a fresh SECRET_KEY in {project_slug}/.env (git-ignored).",
        "",
        "Next steps:",
        f"  cd {project_slug}",
        "  make install    # uv sync: .venv with the service and its dev tools",
    ]
    if database == "postgresql":
        steps += [
            "  # PostgreSQL must answer at DATABASE_URL (.env), with the database created:",
            f"  createdb -h 127.0.0.1 -U postgres {package_name}",
        ]
    if use_redis:
        steps.append("  # Redis must answer at REDIS_URL (.env)")
    steps += [
        "  make migrate    # alembic upgrade head",
        "  make run        # serve with auto-reload",
        f"  open {DOCS_URL}",
    ]
    if use_docker:
        steps += [
            "",
            "Or run it as in production: docker compose up --build -d (read compose.yaml first"
            + (": it needs POSTGRES_PASSWORD in .env)." if database == "postgresql" else ")."),
        ]
    return "\n".join(steps)


def main(root: Path | None = None) -> int:
    """Apply the answers to the project in the working directory, where cookiecutter runs us."""
    root = Path.cwd() if root is None else root
    answers = load_answers()
    keep_auth_alternatives(root, str(answers["package_name"]), use_auth=bool(answers["use_auth"]))
    if not answers["use_auth"]:
        remove_auth_files(root, str(answers["package_name"]))
    if not answers["use_redis"]:
        remove_redis_files(root, str(answers["package_name"]))
    if not answers["use_prometheus"]:
        remove_prometheus_files(root, str(answers["package_name"]))
    if not answers["use_opentelemetry"]:
        remove_opentelemetry_files(root, str(answers["package_name"]))
    if not answers["use_docker"]:
        remove_docker_files(root)
    if answers["ci"] == "none":
        remove_ci_files(root)
    remove_empty_dirs(root)
    write_env_file(root)
    print(
        next_steps(
            project_slug=str(answers["project_slug"]),
            package_name=str(answers["package_name"]),
            database=str(answers["database"]),
            use_redis=bool(answers["use_redis"]),
            use_docker=bool(answers["use_docker"]),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
