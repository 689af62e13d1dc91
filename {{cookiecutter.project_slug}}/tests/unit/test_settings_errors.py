"""A refused setting stops every entry point with one line per problem, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.core.config import get_settings, settings_or_exit

PROJECT = Path(__file__).resolve().parents[2]
REFUSED = {"LOG_LEVEL": "loud", "DB_POOL_SIZE": "0"}


def named(lines: list[str]) -> list[str]:
    """The settings each line names (what comes before its first colon)."""
    return sorted(line.split(":", 1)[0] for line in lines)


def test_settings_or_exit_gives_one_line_per_refused_setting(monkeypatch: pytest.MonkeyPatch):
    """Each refused setting is one line naming it and where to set it."""
    for name, value in REFUSED.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as stopped:
            settings_or_exit()
    finally:
        get_settings.cache_clear()

    lines = str(stopped.value.code).splitlines()
    assert named(lines) == sorted(REFUSED)
    assert all(line.endswith("in the environment or .env)") for line in lines)


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "{{ cookiecutter.package_name }}", "serve"],
        [sys.executable, "-m", "alembic", "current"],
    ],
    ids=["serve", "alembic"],
)
def test_a_refused_setting_stops_the_command_without_a_traceback(command: list[str]):
    """The server and migrations exit with status 1 and the problems, nothing else."""
    env = {**os.environ, **REFUSED}
    done = subprocess.run(  # noqa: S603  # our own interpreter and fixed arguments
        command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert named(done.stderr.strip().splitlines()) == sorted(REFUSED)
