"""Shape the freshly rendered project to the chosen options, then say what to do next.

Cookiecutter renders this file with Jinja and runs it inside the new project folder. Optional
features live in whole files that are always rendered and removed here when their option is off.
Which files those are is data: optional-files.json, rendered into the project with everything
else (a hook cannot find files beside itself: cookiecutter runs a rendered copy of it from a
temporary folder). It is read here, then deleted; the template's tests read the same file. A
listed path that does not exist is an error, so a renamed file fails the template's tests instead
of silently surviving in every project.
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
from typing import Any

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
    "use_kubernetes": r"""{{ cookiecutter.use_kubernetes | tojson }} """,
    "ci": r"""{{ cookiecutter.ci | tojson }} """,
}

# Paths relative to the project root; {package} is the import package under src/.
MANIFEST = "optional-files.json"

EMPTY_KEY_LINE = "SECRET_KEY="
# With auth: the key that encrypts TOTP secrets, filled the same way when its line is there.
EMPTY_MFA_KEY_LINE = "MFA_ENCRYPTION_KEYS="
DOCS_URL = "http://127.0.0.1:8000/docs"


def load_answers(rendered: dict[str, str] | None = None) -> dict[str, object]:
    """Decode the JSON-encoded answers that Jinja rendered into RENDERED_ANSWERS."""
    rendered = RENDERED_ANSWERS if rendered is None else rendered
    return {option: json.loads(value) for option, value in rendered.items()}


def effective_answers(answers: dict[str, object]) -> dict[str, object]:
    """The answers as the project uses them: Redis holds only the auth features' rate-limit
    counters, so without use_auth there is nothing for it to hold and use_redis counts as false
    (the templates test `use_auth and use_redis` for the same reason)."""
    return {**answers, "use_redis": bool(answers["use_auth"]) and bool(answers["use_redis"])}


def ignored_answers_note(answers: dict[str, object]) -> str | None:
    """One line saying which answer had no effect, or None."""
    if answers["use_redis"] is True and answers["use_auth"] is False:
        return (
            "Note: use_redis=True is ignored because use_auth=False: Redis would only hold the "
            "auth features' rate-limit counters."
        )
    return None


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


def holds(condition: str, answers: dict[str, object]) -> bool:
    """Whether the answers meet a manifest condition: `option` (true) or `option=value`."""
    option, equals, value = condition.partition("=")
    return answers[option] == value if equals else bool(answers[option])


def load_manifest(root: Path) -> dict[str, Any]:
    """The optional-files manifest rendered into the project."""
    manifest: dict[str, Any] = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    return manifest


def keep_alternatives(
    root: Path, alternatives: list[dict[str, str]], answers: dict[str, object]
) -> list[Path]:
    """Keep, of each alternative, the file for the answers under `path`: its own when the
    condition holds, `otherwise` moved over it when not. Refuse, before changing anything, if
    a file of a pair is missing."""
    package = str(answers["package_name"])
    pairs = [
        (
            holds(alternative["when"], answers),
            root / alternative["path"].format(package=package),
            root / alternative["otherwise"].format(package=package),
        )
        for alternative in alternatives
    ]
    missing = [
        str(path.relative_to(root)) for _, *pair in pairs for path in pair if not path.exists()
    ]
    if missing:
        raise FileNotFoundError(f"nothing to keep at {', '.join(missing)} (renamed?)")
    for condition_holds, path, otherwise in pairs:
        if condition_holds:
            otherwise.unlink()
        else:
            os.replace(otherwise, path)
    return [path for _, path, _ in pairs]


def remove_disabled_features(
    root: Path, features: dict[str, list[str]], answers: dict[str, object]
) -> list[Path]:
    """Delete the files of every feature the answers turn off (all checked before any goes)."""
    package = str(answers["package_name"])
    off = [
        path.format(package=package)
        for condition, paths in features.items()
        if not holds(condition, answers)
        for path in paths
    ]
    return remove_paths(root, off)


def shape_project(root: Path, answers: dict[str, object]) -> None:
    """Apply the manifest to the rendered project, then delete the manifest."""
    manifest = load_manifest(root)
    keep_alternatives(root, manifest["alternatives"], answers)
    remove_disabled_features(root, manifest["features"], answers)
    (root / MANIFEST).unlink()
    remove_empty_dirs(root)


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
    *,
    project_slug: str,
    package_name: str,
    database: str,
    use_redis: bool,
    use_docker: bool,
    use_auth: bool,
    use_kubernetes: bool,
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
        if use_auth:
            steps.append("  Its mail (password resets) lands in Mailpit: http://127.0.0.1:8025")
    if use_kubernetes:
        steps.append("On Kubernetes: docs/DEPLOYMENT.md (image, secret, migration Job, rollout).")
    return "\n".join(steps)


def main(root: Path | None = None) -> int:
    """Apply the answers to the project in the working directory, where cookiecutter runs us."""
    root = Path.cwd() if root is None else root
    answers = load_answers()
    note = ignored_answers_note(answers)
    if note is not None:
        print(note)
    answers = effective_answers(answers)
    shape_project(root, answers)
    write_env_file(root)
    print(
        next_steps(
            project_slug=str(answers["project_slug"]),
            package_name=str(answers["package_name"]),
            database=str(answers["database"]),
            use_redis=bool(answers["use_redis"]),
            use_docker=bool(answers["use_docker"]),
            use_auth=bool(answers["use_auth"]),
            use_kubernetes=bool(answers["use_kubernetes"]),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
