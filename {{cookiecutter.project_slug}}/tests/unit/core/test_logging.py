"""Logging set-up: lines reach the output stream of the moment."""

import io
import logging
import sys

import pytest
import structlog

from {{ cookiecutter.package_name }}.core.logging import configure_logging


def test_log_lines_go_to_the_current_stdout_after_it_is_swapped(monkeypatch: pytest.MonkeyPatch):
    """Configured once, logging keeps writing when `sys.stdout` is replaced and the old one
    closed, as a test runner does between runs: each line goes to the stdout of the moment."""
    first = io.StringIO()
    monkeypatch.setattr(sys, "stdout", first)
    configure_logging(level="INFO", fmt="json")
    structlog.get_logger("test").info("before_swap")
    second = io.StringIO()
    monkeypatch.setattr(sys, "stdout", second)
    first.close()

    structlog.get_logger("test").info("after_swap")
    logging.getLogger("library").warning("from_the_standard_library")

    assert "after_swap" in second.getvalue()
    assert "from_the_standard_library" in second.getvalue()
