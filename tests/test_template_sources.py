"""Fast tier: the template's own Python files read as Python."""

from __future__ import annotations

import hashlib
import json
import re

from conftest import TEMPLATE_ROOT

TEMPLATE_PROJECT = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}"
# A file that needs more conditionals than this is two files, or a feature module the hook
# removes (docs/maintaining.md, "Rules that keep the template maintainable").
MOST_CONDITIONALS = 10
CONDITIONAL = re.compile(r"\{%-?\s*(?:if|elif)\b")
PYTHON_FILES = sorted(TEMPLATE_PROJECT.rglob("*.py"))


def test_python_files_are_found() -> None:
    """The check below looks at the template's sources, not at an empty list."""
    assert len(PYTHON_FILES) > 50


def test_python_files_have_few_jinja_conditionals() -> None:
    """No template .py file has more than MOST_CONDITIONALS `{% if %}`/`{% elif %}` tags."""
    counts = {
        path.relative_to(TEMPLATE_PROJECT).as_posix(): len(
            CONDITIONAL.findall(path.read_text(encoding="utf-8"))
        )
        for path in PYTHON_FILES
    }
    assert {path: n for path, n in counts.items() if n > MOST_CONDITIONALS} == {}
    # The pattern does find the tags (a file known to have them).
    assert counts["src/{{cookiecutter.package_name}}/main.py"] > 0


RELEASED_MIGRATIONS = json.loads(
    (TEMPLATE_ROOT / "tests" / "released_migrations.json").read_text(encoding="utf-8")
)["sha256"]


def test_released_migrations_are_never_changed() -> None:
    """A migration generated projects have applied stays byte for byte as released: teams'
    databases are already at it, so a change would never run there (add a revision instead)."""
    assert RELEASED_MIGRATIONS, "the register lists the released migrations"
    changed = [
        path
        for path, digest in RELEASED_MIGRATIONS.items()
        if not (TEMPLATE_PROJECT / path).is_file()
        or hashlib.sha256((TEMPLATE_PROJECT / path).read_bytes()).hexdigest() != digest
    ]
    assert changed == [], "released migrations changed or removed; add a new revision instead"
