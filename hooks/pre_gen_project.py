"""Refuse answers that would render a broken service, before any file is written.

Cookiecutter renders this file with Jinja and runs it inside the new project folder. Every check
returns a list of messages shaped ``<option>=<value>: why. How to fix.``; main() prints all of
them at once, so a user fixes every answer in one go, and exits 1, which makes cookiecutter
delete the half-made project folder.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata

# The answers, gathered in one place so the checks below stay plain functions. Each value is
# JSON-encoded by Jinja: a quote or backslash in an answer cannot break this file, and booleans
# stay booleans. The space before the closing quotes keeps the JSON's own final quote from
# touching them. (Loaded without rendering, these are just strings nobody parses.)
RENDERED_ANSWERS = {
    "project_name": r"""{{ cookiecutter.project_name | tojson }} """,
    "project_slug": r"""{{ cookiecutter.project_slug | tojson }} """,
    "package_name": r"""{{ cookiecutter.package_name | tojson }} """,
    "description": r"""{{ cookiecutter.description | tojson }} """,
    "author_name": r"""{{ cookiecutter.author_name | tojson }} """,
    "author_email": r"""{{ cookiecutter.author_email | tojson }} """,
    "version": r"""{{ cookiecutter.version | tojson }} """,
    "python_version": r"""{{ cookiecutter.python_version | tojson }} """,
    "database": r"""{{ cookiecutter.database | tojson }} """,
    "use_auth": r"""{{ cookiecutter.use_auth | tojson }} """,
    "use_redis": r"""{{ cookiecutter.use_redis | tojson }} """,
    "use_prometheus": r"""{{ cookiecutter.use_prometheus | tojson }} """,
    "use_opentelemetry": r"""{{ cookiecutter.use_opentelemetry | tojson }} """,
    "use_docker": r"""{{ cookiecutter.use_docker | tojson }} """,
    "use_kubernetes": r"""{{ cookiecutter.use_kubernetes | tojson }} """,
    "ci": r"""{{ cookiecutter.ci | tojson }} """,
    "license": r"""{{ cookiecutter.license | tojson }} """,
}

CHOICES = {
    "python_version": ("3.11", "3.12", "3.13"),
    "database": ("postgresql", "sqlite"),
    "ci": ("github", "none"),
    "license": ("MIT", "Apache-2.0", "Proprietary"),
}
BOOLEAN_OPTIONS = (
    "use_auth",
    "use_redis",
    "use_prometheus",
    "use_opentelemetry",
    "use_docker",
    "use_kubernetes",
)
# Rendered inside double-quoted TOML and Python strings: these characters would end or corrupt them.
TEXT_OPTIONS = ("project_name", "description", "author_name")

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
PACKAGE_PATTERN = re.compile(r"^_*[a-z][a-z0-9_]*$")
EMAIL_PATTERN = re.compile(r"^[^@\s\"\\]+@[^@\s\"\\]+\.[A-Za-z]{2,}$")
# PEP 440 public versions as people write them: 1.0, 0.1.0, 2.0.0rc1, 1.2.post1, 0.1.0.dev3, 1!2.0.
VERSION_PATTERN = re.compile(
    r"^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*"
    r"((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$"
)
# Import names of the service's dependencies and top-level folders: a package with one of these
# names would shadow it (or make uv refuse the project depending on itself).
SHADOWED_NAMES = frozenset(
    {
        "aiosqlite",
        "alembic",
        "argon2",
        "asgi_correlation_id",
        "asyncpg",
        "email_validator",
        "fastapi",
        "greenlet",
        "httpx2",
        "jwt",
        "limits",
        "migrations",
        "multipart",
        "opentelemetry",
        "prometheus_client",
        "pwdlib",
        "pydantic",
        "pydantic_settings",
        "pytest",
        "redis",
        "ruff",
        "sqlalchemy",
        "starlette",
        "structlog",
        "tests",
        "uvicorn",
    }
)
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "off"})


def problem(option: str, value: object, why: str, fix: str) -> str:
    """Format one refusal as ``<option>=<value>: why. fix.``"""
    return f"{option}={value!r}: {why}. {fix}."


def load_answers(rendered: dict[str, str] | None = None) -> dict[str, object]:
    """Decode the JSON-encoded answers that Jinja rendered into RENDERED_ANSWERS."""
    rendered = RENDERED_ANSWERS if rendered is None else rendered
    return {option: json.loads(value) for option, value in rendered.items()}


def check_project_name(value: object) -> list[str]:
    """The human-readable name must say something."""
    if not isinstance(value, str) or not value.strip():
        return [problem("project_name", value, "it is empty", "Give the service a name")]
    return []


def check_text(option: str, value: object) -> list[str]:
    """Free text must survive being rendered into double-quoted TOML and Python strings."""
    if not isinstance(value, str):
        return [problem(option, value, "it is not text", f"Pass {option} as a string")]
    bad = sorted({char for char in value if char in '"\\' or not char.isprintable()})
    if bad:
        shown = " ".join(repr(char) for char in bad)
        why = f"it contains {shown}, which would break pyproject.toml and Python string literals"
        return [problem(option, value, why, "Remove those characters (single quotes are fine)")]
    return []


def suggest_name(value: object, separator: str) -> str:
    """A lowercase ASCII spelling of value, words joined by separator ('' if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return separator.join(words).lstrip("0123456789" + separator)


def check_project_slug(value: object) -> list[str]:
    """The folder and distribution name: lowercase letters, digits and single hyphens."""
    if not isinstance(value, str) or not SLUG_PATTERN.match(value) or "--" in value:
        why = (
            "it must start with a lowercase letter, end with a letter or digit, and contain only"
            " lowercase ASCII letters, digits and single hyphens"
        )
        suggestion = suggest_name(value, "-")
        fix = f"Pass project_slug={suggestion if SLUG_PATTERN.match(suggestion) else 'my-service'}"
        return [problem("project_slug", value, why, fix)]
    return []


def check_package_name(value: object) -> list[str]:
    """The import name: a lowercase identifier that hides neither a keyword nor a module."""
    if not isinstance(value, str) or not PACKAGE_PATTERN.match(value):
        why = "it is not a lowercase Python identifier (ASCII letters, digits, underscores)"
        suggestion = suggest_name(value, "_") or "my_service"
        return [problem("package_name", value, why, f"Pass package_name={suggestion}")]
    fix = f"Choose another package_name, such as {value}_service"
    if keyword.iskeyword(value):
        return [problem("package_name", value, "it is a Python keyword", fix)]
    if value in sys.stdlib_module_names:
        why = "it would shadow the standard library module of that name"
        return [problem("package_name", value, why, fix)]
    if value in SHADOWED_NAMES:
        why = "it would shadow a dependency or a top-level folder of the service"
        return [problem("package_name", value, why, fix)]
    return []


def check_author_email(value: object) -> list[str]:
    """The author email goes into pyproject.toml, so it must look like one address."""
    if not isinstance(value, str) or not EMAIL_PATTERN.match(value):
        why = "it does not look like an email address"
        return [problem("author_email", value, why, "Use a form like you@example.com")]
    return []


def check_version(value: object) -> list[str]:
    """The initial version must be a PEP 440 public version."""
    if not isinstance(value, str) or not VERSION_PATTERN.match(value):
        why = "it is not a PEP 440 version"
        return [problem("version", value, why, "Use a form like 0.1.0, 1.0.0rc1 or 0.1.0.dev0")]
    return []


def check_choice(option: str, value: object, allowed: tuple[str, ...]) -> list[str]:
    """A choice option must hold one of the values the template knows how to render."""
    if value not in allowed:
        why = f"it is not one of {', '.join(allowed)}"
        return [problem(option, value, why, f"Pick one of those for {option}")]
    return []


def check_boolean(option: str, value: object) -> list[str]:
    """A yes/no option must be a real boolean.

    Jinja treats every non-empty string as true, so even the string "n" would render the
    feature's code while the post-generation hook removed its files.
    """
    if isinstance(value, bool):
        return []
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        why = "it arrived as a string, and Jinja treats every non-empty string as true"
        fix = f"Write {option} as true or false (no quotes) in the replay or config file"
        return [problem(option, value, why, fix)]
    why = "it is not a yes/no answer"
    return [problem(option, value, why, f"Pass {option}=y or {option}=n")]


def check_kubernetes_needs_docker(use_kubernetes: object, use_docker: object) -> list[str]:
    """The manifests run the image the Dockerfile builds: no Dockerfile, nothing to deploy."""
    if use_kubernetes is True and use_docker is False:
        why = "the manifests run the image built from the Dockerfile, which needs use_docker"
        fix = "Pass use_docker=y as well, or use_kubernetes=n"
        return [problem("use_kubernetes", use_kubernetes, why, fix)]
    return []


def check_kubernetes_needs_a_server_database(use_kubernetes: object, database: object) -> list[str]:
    """Replicas share one database server; a SQLite file cannot be shared between pods."""
    if use_kubernetes is True and database == "sqlite":
        why = (
            "several replicas cannot share one SQLite file (each pod would get its own database,"
            " or corrupt a shared one)"
        )
        fix = "Pass database=postgresql as well, or use_kubernetes=n"
        return [problem("use_kubernetes", use_kubernetes, why, fix)]
    return []


def validate(answers: dict[str, object]) -> list[str]:
    """Run every check and return all refusals, in the order of cookiecutter.json."""
    errors = check_project_name(answers["project_name"])
    for option in TEXT_OPTIONS:
        errors += check_text(option, answers[option])
    errors += check_project_slug(answers["project_slug"])
    errors += check_package_name(answers["package_name"])
    errors += check_author_email(answers["author_email"])
    errors += check_version(answers["version"])
    for option, allowed in CHOICES.items():
        errors += check_choice(option, answers[option], allowed)
    for option in BOOLEAN_OPTIONS:
        errors += check_boolean(option, answers[option])
    errors += check_kubernetes_needs_docker(answers["use_kubernetes"], answers["use_docker"])
    errors += check_kubernetes_needs_a_server_database(
        answers["use_kubernetes"], answers["database"]
    )
    return errors


# After the refusals: `--replay` would repeat the same answers, and the same refusal, forever.
START_OVER = (
    "Nothing was generated. Run cookiecutter again and answer differently; a --replay run "
    "repeats the saved answers, so start over without --replay, or fix or delete the replay "
    "file (in ~/.cookiecutter_replay/ unless your cookiecutter config says otherwise)."
)


def main() -> int:
    """Print every refusal to stderr, one per line, and return the exit status."""
    errors = validate(load_answers())
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(START_OVER, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
