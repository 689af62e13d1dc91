"""Slow tier: bake the variants that change the most code, install them, run their own suites.

Needs uv and network access to the package registry, a PostgreSQL server for the PostgreSQL
variants (TEST_DATABASE_URL names the server; each run creates and drops its own database) and
Redis for the Redis variant (REDIS_URL). Run with `pytest -m slow`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import INSTALL_SECONDS, TEMPLATE_ROOT, TEST_SECONDS
from variants import DEFAULTS, SLOW_VARIANTS

OFFERED_PYTHONS = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))[
    "python_version"
]
# The Python the slow variants are rendered for: the template's CI matrix sets one per job.
SLOW_PYTHON = os.environ.get("KITSUNE_PYTHON_VERSION", str(DEFAULTS["python_version"]))
OTHER_PYTHONS = [version for version in OFFERED_PYTHONS if version != SLOW_PYTHON]

DEFAULT_TEST_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# Our own environment must not leak into the generated project's: its uv makes its own .venv,
# and its pytest(-xdist) must not believe it is one of our workers.
LEAKY_PREFIXES = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTEST_", "PYTHONPATH", "PYTHONHOME")
TAIL_CHARACTERS = 4000

pytestmark = pytest.mark.slow


def uv_command() -> list[str]:
    """uv from PATH, else the one installed next to this interpreter, else `python -m uv`."""
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "uv"]


def generated_env() -> dict[str, str]:
    """The environment for the generated project: no venv leaks, no interpreter downloads."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(LEAKY_PREFIXES)}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["TEST_DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    env["REDIS_URL"] = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    return env


def run_step(command: list[str], project: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run one command in the project; return the completed process and its duration."""
    started = time.monotonic()
    completed = subprocess.run(
        command,
        cwd=project,
        env=generated_env(),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    return completed, time.monotonic() - started


def tail(completed: subprocess.CompletedProcess[str]) -> str:
    """The end of a command's output, enough to see why it failed."""
    return (
        f"exit status {completed.returncode} from {' '.join(completed.args)}\n"
        f"--- stdout (tail) ---\n{completed.stdout[-TAIL_CHARACTERS:]}\n"
        f"--- stderr (tail) ---\n{completed.stderr[-TAIL_CHARACTERS:]}"
    )


@pytest.mark.parametrize("variant", list(SLOW_VARIANTS))
def test_generated_suite_passes(variant: str, cookies, request: pytest.FixtureRequest) -> None:
    """The variant installs with uv, type-checks, and its own test suite passes against a real
    database, on the Python this run tests (KITSUNE_PYTHON_VERSION; the CI matrix sets it)."""
    extra_context = {**SLOW_VARIANTS[variant], "python_version": SLOW_PYTHON}
    result = cookies.bake(extra_context=extra_context, template=str(TEMPLATE_ROOT))
    assert result.exception is None, result.exception
    install_and_test(result.project_path, request)


@pytest.mark.parametrize("python_version", OTHER_PYTHONS)
def test_default_variant_passes_on_each_offered_python(
    python_version: str, cookies, request: pytest.FixtureRequest
) -> None:
    """The default variant, rendered for each other python_version the template offers, runs
    on that interpreter (its .python-version) and passes its suite."""
    extra_context = {"python_version": python_version}
    result = cookies.bake(extra_context=extra_context, template=str(TEMPLATE_ROOT))
    assert result.exception is None, result.exception
    project = result.project_path
    found, _ = run_step([*uv_command(), "python", "find"], project)
    if found.returncode != 0:
        pytest.skip(f"Python {python_version} is not installed here (uv python find failed)")
    install_and_test(project, request)
    version, _ = run_step([*uv_command(), "run", "--no-sync", "python", "--version"], project)
    assert version.stdout.split()[1].startswith(f"{python_version}.")


def install_and_test(project: Path, request: pytest.FixtureRequest) -> None:
    """uv sync, strict mypy and the project's own suite (two workers), each must pass."""
    uv = uv_command()
    installed, install_seconds = run_step([*uv, "sync"], project)
    request.node.user_properties.append((INSTALL_SECONDS, round(install_seconds, 1)))
    if installed.returncode != 0:
        pytest.fail(tail(installed), pytrace=False)

    # The project's own mypy settings (pyproject.toml): strict, over src and tests.
    typed, _ = run_step([*uv, "run", "--no-sync", "mypy"], project)
    if typed.returncode != 0:
        pytest.fail(tail(typed), pytrace=False)

    pytest_args = ["pytest", "-q", "-p", "no:cacheprovider", "-n", "2"]
    tested, test_seconds = run_step([*uv, "run", "--no-sync", *pytest_args], project)
    request.node.user_properties.append((TEST_SECONDS, round(test_seconds, 1)))
    if tested.returncode != 0:
        pytest.fail(tail(tested), pytrace=False)
