"""The option combinations the template supports, the files each option owns, refused answers.

FAST_VARIANTS bake every option value at least once, every database x use_auth pair with Docker and
CI both on and off, and use_redis against database, use_docker and ci (pairwise, not the full
product). SLOW_VARIANTS run their own test suites, so they are the combinations that change the
most Python code: database x use_auth (Redis on with PostgreSQL, off with SQLite; SQLite without
auth also drops Prometheus); tracing is on in PostgreSQL with auth and SQLite without. The fast
tier bakes use_prometheus=n with PostgreSQL without auth (tracing on) and with SQLite with auth,
and use_opentelemetry=y with and without Prometheus on both databases. use_kubernetes=y (PostgreSQL
and Docker only) is baked with every feature on, and with auth, Redis and Prometheus off.
"""

from __future__ import annotations

import json
from typing import Any

from conftest import TEMPLATE_ROOT, load_hook

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
    "use_kubernetes": False,
    "ci": "github",
    "license": "MIT",
}

# The files each option owns: the manifest the post-generation hook applies (and deletes).
# The hook itself says how the manifest is named and how its conditions read.
POST_GEN_HOOK = load_hook("post_gen_project")
MANIFEST_PATH = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / POST_GEN_HOOK.MANIFEST
MANIFEST: dict[str, Any] = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
# The second file of each alternative: moved over the first or deleted, never kept by its name.
ALTERNATIVE_FILES = tuple(alternative["otherwise"] for alternative in MANIFEST["alternatives"])
# Written by the post-generation hook, not rendered from the template; removed by it.
GENERATED_FILES = (".env",)
HOOK_REMOVED_FILES = (POST_GEN_HOOK.MANIFEST,)


def feature_files(answers: dict[str, object]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Each optional feature's files, by option name, and whether these answers enable it."""
    answers = POST_GEN_HOOK.effective_answers(answers)
    return {
        condition.partition("=")[0]: (POST_GEN_HOOK.holds(condition, answers), tuple(paths))
        for condition, paths in MANIFEST["features"].items()
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
        "use_kubernetes": True,
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
    # Kubernetes with every feature its manifests wire: metrics, tracing, Redis and mail.
    "kubernetes-everything": {"use_kubernetes": True, "use_opentelemetry": True},
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
    ({"use_kubernetes": "soon"}, "use_kubernetes"),
    # The manifests deploy the Docker image, to replicas sharing a database server.
    ({"use_kubernetes": True, "use_docker": False}, "use_kubernetes"),
    ({"use_kubernetes": True, "database": "sqlite", "use_redis": False}, "use_kubernetes"),
    ({"ci": "gitlab"}, "ci"),
    ({"license": "GPL-3.0"}, "license"),
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
