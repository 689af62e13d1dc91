"""Generated projects update to the template's next revision with cruft, as a team would.

Each test builds a real git history of the template in a temporary folder (the working tree as
revision 1, a scripted change as revision 2), creates a project from revision 1 with
`cruft create`, commits it (and a team edit), then runs `cruft update`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE_ROOT
from test_generated import install_and_test
from variants import feature_files

TEMPLATE_DIR = "{{cookiecutter.project_slug}}"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Kitsune Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Kitsune Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")
# Revision 2 of the template: a line near the top of the rendered README and a comment in the
# application factory. The team's edit is at the README's end, well away from it.
README_CHANGE = ("## Quick start", "## Quick start (updated by the template)")
MAIN_PY = f"{TEMPLATE_DIR}/src/{{{{cookiecutter.package_name}}}}/main.py"
LOGGER = "logger = structlog.get_logger(__name__)"
MAIN_CHANGE = (LOGGER, f"{LOGGER}  # revision 2")
TEAM_EDIT = "\n## Our team's notes\n\nDeployed by the order-desk team.\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its output if it fails."""
    env = {**os.environ, **GIT_IDENTITY}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def cruft(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The cruft installed beside these tests."""
    found = shutil.which("cruft", path=str(Path(sys.executable).parent))
    assert found, "cruft is part of the template's dev tooling (uv sync)"
    return run(found, *args, cwd=cwd)


def commit_all(repo: Path, message: str) -> None:
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-q", "-m", message, cwd=repo)


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """A git repository of the template: the working tree's files (ignored ones left out) as
    its first commit."""
    listed = run(
        "git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=TEMPLATE_ROOT
    ).stdout.split("\0")
    repo = tmp_path / "kitsune"
    for name in filter(None, listed):
        source = TEMPLATE_ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    run("git", "init", "-q", "-b", "main", cwd=repo)
    commit_all(repo, "revision 1")
    return repo


def next_revision(repo: Path) -> None:
    """Revision 2: the scripted template change, committed."""
    for path, (old, new) in ((f"{TEMPLATE_DIR}/README.md", README_CHANGE), (MAIN_PY, MAIN_CHANGE)):
        target = repo / path
        text = target.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{path} no longer has {old!r}: update this test"
        target.write_text(text.replace(old, new), encoding="utf-8")
    commit_all(repo, "revision 2")


def create_project(template: Path, out: Path, **answers: object) -> Path:
    """`cruft create` from the template repository, then the project's own first commit."""
    context = {"project_slug": "order-desk", "package_name": "order_desk", **answers}
    cruft(
        "create", str(template), "--no-input", "--output-dir", str(out),
        "--extra-context", json.dumps(context), cwd=out.parent,
    )  # fmt: skip
    project = out / "order-desk"
    run("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "generated")
    return project


def leftovers(project: Path) -> list[str]:
    """Reject files and conflict markers anywhere in the project, git-ignored files included."""
    found = [str(path.relative_to(project)) for path in project.rglob("*.rej")]
    for path in project.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if any(line.startswith(CONFLICT_MARKERS) for line in text.splitlines()):
            found.append(f"{path.relative_to(project)}: conflict markers")
    return found


def test_update_applies_cleanly_and_keeps_the_teams_edits(tmp_path: Path, template_repo: Path):
    """A template change reaches a project the team has edited: no rejects, no conflict markers,
    the team's README edit kept beside the template's, .env untouched, `cruft check` green."""
    (tmp_path / "out").mkdir()
    project = create_project(template_repo, tmp_path / "out")
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + TEAM_EDIT, encoding="utf-8")
    commit_all(project, "our notes")
    env_before = (project / ".env").read_text(encoding="utf-8")

    next_revision(template_repo)
    cruft("update", "--skip-apply-ask", cwd=project)

    assert leftovers(project) == []
    text = readme.read_text(encoding="utf-8")
    assert README_CHANGE[1] in text
    assert TEAM_EDIT in text
    assert MAIN_CHANGE[1] in (project / "src/order_desk/main.py").read_text(encoding="utf-8")
    assert (project / ".env").read_text(encoding="utf-8") == env_before
    cruft("check", cwd=project)


@pytest.mark.parametrize(
    ("option", "before", "after"),
    [("use_prometheus", False, True), ("use_prometheus", True, False)],
    ids=["prometheus-on", "prometheus-off"],
)
def test_update_turns_a_feature_on_or_off(
    tmp_path: Path, template_repo: Path, option: str, before: bool, after: bool
):
    """`cruft update --variables-to-update` with a new answer brings the feature's files (or
    removes them), cleanly, and the project records the new answer."""
    (tmp_path / "out").mkdir()
    project = create_project(template_repo, tmp_path / "out", **{option: before})

    cruft(
        "update", "--skip-apply-ask", "--variables-to-update", json.dumps({option: after}),
        cwd=project,
    )  # fmt: skip

    assert leftovers(project) == []
    answers = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert answers["context"]["cookiecutter"][option] is after
    _, files = feature_files({**answers["context"]["cookiecutter"], option: after})[option]
    present = [path for path in files if (project / path.format(package="order_desk")).exists()]
    assert present == (list(files) if after else [])
    assert not (project / "optional-files.json").exists()


@pytest.mark.slow
def test_a_feature_turned_on_by_update_passes_the_projects_suite(
    tmp_path: Path, template_repo: Path, request: pytest.FixtureRequest
):
    """A SQLite project made without Prometheus, given it by `cruft update`, installs,
    type-checks and passes its own suite, the metrics tests included."""
    (tmp_path / "out").mkdir()
    answers = {"database": "sqlite", "use_redis": False, "use_prometheus": False}
    project = create_project(template_repo, tmp_path / "out", **answers)
    cruft(
        "update", "--skip-apply-ask", "--variables-to-update", '{"use_prometheus": true}',
        cwd=project,
    )  # fmt: skip

    assert (project / "tests/api/test_metrics.py").exists()
    install_and_test(project, request)
