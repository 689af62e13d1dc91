"""The option combinations the template supports, the files each option owns, refused answers.

FAST_VARIANTS bake every option value at least once, every database x use_auth pair with Docker and
CI both on and off, and use_redis against database, use_docker and ci (pairwise, not the full
product). SLOW_VARIANTS run their own test suites, so they are the combinations that change the
most Python code: database x use_auth (Redis on with PostgreSQL, off with SQLite; SQLite without
auth also drops Prometheus); tracing is on in PostgreSQL with auth and SQLite without. The fast
tier bakes use_prometheus=n with PostgreSQL without auth (tracing on) and with SQLite with auth,
and use_opentelemetry=y with and without Prometheus on both databases.
"""

from __future__ import annotations

# cookiecutter.json's defaults, as the hooks see them (choices take their first value).
DEFAULTS: dict[str, object] = {
    "project_name": "Kitsune Service",
    "project_slug": "kitsune-service",
    "package_name": "kitsune_service",
    "description": "A layered, async FastAPI service.",
    "author_name": "Your Name",
    "author_email": "you@example.com",
    "version": "0.1.0",
    "python_version": "3.11",
    "database": "postgresql",
    "use_auth": True,
    "use_redis": True,
    "use_prometheus": True,
    "use_opentelemetry": False,
    "use_docker": True,
    "ci": "github",
    "license": "MIT",
}

# Files each optional feature adds, relative to the project; {package} is the import package.
# Every other file in the template folder is common to all variants. Keep these in step with the
# *_PATHS lists in hooks/post_gen_project.py (test_hooks checks that they agree).
# The no-auth twins of modules auth reshapes: the hook moves each over its auth file (or
# deletes it), so no variant has them under their own name.
AUTH_ALTERNATIVE_FILES = ("src/{package}/api/routes/items_without_auth.py",)
AUTH_FILES = (
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
REDIS_FILES: tuple[str, ...] = ()
PROMETHEUS_FILES = ("src/{package}/api/metrics.py", "tests/api/test_metrics.py")
OPENTELEMETRY_FILES = ("src/{package}/core/tracing.py", "tests/api/test_tracing.py")
DOCKER_FILES = ("Dockerfile", ".dockerignore", "compose.yaml")
CI_FILES = (".github/workflows/ci.yml",)
# Written by the post-generation hook, not rendered from the template.
GENERATED_FILES = (".env",)


def feature_files(answers: dict[str, object]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Each optional feature's files, and whether these answers enable it."""
    return {
        "use_auth": (bool(answers["use_auth"]), AUTH_FILES),
        "use_redis": (bool(answers["use_redis"]), REDIS_FILES),
        "use_prometheus": (bool(answers["use_prometheus"]), PROMETHEUS_FILES),
        "use_opentelemetry": (bool(answers["use_opentelemetry"]), OPENTELEMETRY_FILES),
        "use_docker": (bool(answers["use_docker"]), DOCKER_FILES),
        "ci": (answers["ci"] == "github", CI_FILES),
    }


# id -> extra_context. Unlisted options keep their default.
FAST_VARIANTS: dict[str, dict[str, object]] = {
    "defaults": {},
    "postgresql-auth-bare": {
        "use_opentelemetry": True,
        "use_docker": False,
        "ci": "none",
        "python_version": "3.12",
        "license": "Apache-2.0",
    },
    "postgresql-noauth-docker": {
        "use_auth": False,
        "use_redis": False,
        "use_prometheus": False,
        "use_opentelemetry": True,
        "ci": "none",
        "python_version": "3.13",
        "license": "Proprietary",
    },
    "postgresql-noauth-ci": {"use_auth": False, "use_redis": False, "use_docker": False},
    "sqlite-auth-noredis-docker": {
        "database": "sqlite",
        "use_redis": False,
        "ci": "none",
        "python_version": "3.13",
    },
    "sqlite-auth-noredis-ci": {
        "database": "sqlite",
        "use_redis": False,
        "use_prometheus": False,
        "use_docker": False,
        "python_version": "3.12",
        "license": "Proprietary",
    },
    "sqlite-noauth-docker-ci": {
        "database": "sqlite",
        "use_auth": False,
        "use_redis": False,
        "use_opentelemetry": True,
        "python_version": "3.12",
        "license": "Apache-2.0",
    },
    "sqlite-noauth-bare": {
        "database": "sqlite",
        "use_auth": False,
        "use_redis": False,
        "use_docker": False,
        "ci": "none",
        "license": "Apache-2.0",
    },
    # Free text with an apostrophe and non-ASCII letters, and a pre-release version.
    "custom-text-noredis": {
        "project_name": "Order Desk",
        "description": "Takes the kitchen's orders, façade included.",
        "author_name": "Zoë O'Brien",
        "author_email": "zoe@example.com",
        "version": "1.0.0rc1",
        "use_redis": False,
    },
    # A package name chosen apart from the slug, on SQLite with Redis.
    "custom-package-sqlite-redis": {
        "project_slug": "fox-api",
        "package_name": "fox",
        "database": "sqlite",
    },
}

SLOW_VARIANTS: dict[str, dict[str, object]] = {
    "postgresql-auth": {
        "database": "postgresql",
        "use_auth": True,
        "use_redis": True,
        "use_opentelemetry": True,
    },
    "postgresql-noauth": {"database": "postgresql", "use_auth": False, "use_redis": False},
    "sqlite-auth": {"database": "sqlite", "use_auth": True, "use_redis": False},
    "sqlite-noauth": {
        "database": "sqlite",
        "use_auth": False,
        "use_redis": False,
        "use_prometheus": False,
        "use_opentelemetry": True,
    },
}

# (extra_context, the option the refusal must name)
INVALID_ANSWERS: list[tuple[dict[str, object], str]] = [
    ({"project_name": "", "project_slug": "svc", "package_name": "svc"}, "project_name"),
    ({"description": 'Says "hello"'}, "description"),
    ({"author_name": "Back\\slash"}, "author_name"),
    ({"project_slug": "My Service"}, "project_slug"),
    ({"project_slug": "svc-"}, "project_slug"),
    ({"project_slug": "my--svc"}, "project_slug"),
    ({"project_slug": "9lives"}, "project_slug"),
    ({"package_name": "class"}, "package_name"),
    ({"package_name": "json"}, "package_name"),
    ({"package_name": "fastapi"}, "package_name"),
    ({"package_name": "tests"}, "package_name"),
    ({"package_name": "My_Pkg"}, "package_name"),
    ({"author_email": "you-at-example.com"}, "author_email"),
    ({"version": "latest"}, "version"),
    ({"python_version": "3.10"}, "python_version"),
    ({"database": "mysql"}, "database"),
    ({"use_auth": "maybe"}, "use_auth"),
    ({"use_redis": "sometimes"}, "use_redis"),
    ({"use_prometheus": "often"}, "use_prometheus"),
    ({"use_opentelemetry": "later"}, "use_opentelemetry"),
    ({"use_docker": "perhaps"}, "use_docker"),
    ({"ci": "gitlab"}, "ci"),
    ({"license": "GPL-3.0"}, "license"),
    # Redis only serves auth features (the default use_redis=y must be turned off with auth).
    ({"use_auth": False}, "use_redis"),
]


def answers_for(extra_context: dict[str, object]) -> dict[str, object]:
    """The full answers a bake with this extra_context receives (slug and package derived)."""
    answers = {**DEFAULTS, **extra_context}
    if "project_slug" not in extra_context:
        name = str(answers["project_name"])
        answers["project_slug"] = name.lower().strip().replace(" ", "-").replace("_", "-")
    if "package_name" not in extra_context:
        answers["package_name"] = str(answers["project_slug"]).replace("-", "_")
    return answers


def invalid_id(case: tuple[dict[str, object], str]) -> str:
    """A readable test id for an INVALID_ANSWERS entry: the answers it passes."""
    extra_context, _option = case
    return ",".join(f"{key}={value}" for key, value in extra_context.items())
