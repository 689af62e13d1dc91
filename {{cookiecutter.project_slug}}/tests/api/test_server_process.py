"""The service as it runs in production: `{{ cookiecutter.package_name }} serve` in its own process."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

STARTUP_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited during start-up"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"serve did not listen on port {port} within {STARTUP_SECONDS} s")


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_serve_ignores_forwarded_for_with_no_trusted_proxy(tmp_path: Path):
    """With FORWARDED_ALLOW_IPS empty, a request from 127.0.0.1 claiming another address through
    X-Forwarded-For is seen as coming from 127.0.0.1 (uvicorn alone would believe it)."""
    port = free_port()
    environment = {
        **os.environ,
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "ACCESS_LOG_QUIET_PATHS": "",
    }
    environment.pop("FORWARDED_ALLOW_IPS", None)
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "serve"]
    process = subprocess.Popen(  # noqa: S603  # our own interpreter and module
        [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=tmp_path,  # no .env: the settings are the environment's
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_listening(process, port)
        response = httpx2.get(
            f"http://127.0.0.1:{port}/health/live", headers={"X-Forwarded-For": "203.0.113.9"}
        )
        assert response.status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)

    [line] = [line for line in json_lines(output) if line.get("event") == "request_completed"]
    assert line["client"] == "127.0.0.1"
