"""Fixtures shared by the template tests, and a summary of how long each slow variant took."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
# User properties under which slow tests record durations; they travel back from xdist workers.
INSTALL_SECONDS = "install_seconds"
TEST_SECONDS = "test_seconds"

RunCookiecutter = Callable[..., subprocess.CompletedProcess[str]]


def load_hook(name: str) -> ModuleType:
    """Import hooks/<name>.py as a module; its Jinja placeholders are inert strings."""
    spec = importlib.util.spec_from_file_location(
        f"kitsune_{name}", TEMPLATE_ROOT / "hooks" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def template_root() -> Path:
    """The template repository: cookiecutter.json, hooks/ and the project folder."""
    return TEMPLATE_ROOT


@pytest.fixture
def run_cookiecutter(tmp_path: Path) -> RunCookiecutter:
    """A function running the cookiecutter CLI in a subprocess, isolated from the user's config.

    It renders into tmp_path / "out" and returns the completed process (stdout and stderr as text).
    """
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(tmp_path / 'cookiecutters'))}\n"
        f"replay_dir: {json.dumps(str(tmp_path / 'replay'))}\n",
        encoding="utf-8",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cookiecutter", "--config-file", str(config)]
        command += ["--output-dir", str(tmp_path / "out"), *args]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
        )

    return run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List how long each slow variant took to install and to test (xdist workers included)."""
    rows = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            properties = dict(getattr(report, "user_properties", []))
            if getattr(report, "when", None) == "call" and INSTALL_SECONDS in properties:
                rows.append((report.nodeid, outcome, properties))
    if not rows:
        return
    terminalreporter.write_sep("-", "generated project timings (install, test)")
    for nodeid, outcome, properties in sorted(rows):
        install = properties.get(INSTALL_SECONDS, 0.0)
        test = properties.get(TEST_SECONDS)
        tested = "    -   " if test is None else f"{test:7.1f}s"
        terminalreporter.write_line(f"{install:7.1f}s {tested}  {outcome:6}  {nodeid}")
