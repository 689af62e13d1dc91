"""The service as it runs in production: `{{ cookiecutter.package_name }} serve` in its own process."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

# Generous: start-up imports the whole service, and a CI machine running several suites at
# once can be slow to do it. A server that starts waits no longer for it.
STARTUP_SECONDS = 60


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


def start_server(tmp_path: Path, port: int, environment: dict[str, str]) -> subprocess.Popen[str]:
    """`{{ cookiecutter.package_name }} serve` with one worker, its output captured."""
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "serve"]
    return subprocess.Popen(  # noqa: S603  # our own interpreter and module
        [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=tmp_path,  # no .env: the settings are the environment's
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def refuses_connections(port: int, seconds: float) -> bool:
    """Whether the port stops accepting connections within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.05)
    return False


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
    process = start_server(tmp_path, port, environment)
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


def test_sigterm_refuses_new_connections_and_lets_the_request_in_flight_finish(
    tmp_path: Path, database_url: str, session_factory
):
    """SIGTERM arrives while a request's body is half sent. The server stops listening at once
    (a readiness probe or a new client is refused, so a load balancer drains it), the request
    gets the answer it gets on a calm day, and the process then exits, within SHUTDOWN_TIMEOUT."""
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "SHUTDOWN_TIMEOUT": "10"}
    url = f"http://127.0.0.1:{port}/api/v1/items/"
    body = json.dumps({"title": "in flight", "description": "sent in two parts"}).encode()
    head = (
        "POST /api/v1/items/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    process = start_server(tmp_path, port, environment)
    try:
        wait_until_listening(process, port)
        calm = httpx2.post(url, content=body, headers={"Content-Type": "application/json"})
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(head + body[:10])
            time.sleep(0.3)  # the server has read the head and is waiting for the body
            process.send_signal(signal.SIGTERM)
            refused = refuses_connections(port, seconds=5)
            connection.sendall(body[10:])
            answer = connection.makefile("rb").read()
        exit_code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()

    assert refused
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line == f"HTTP/1.1 {calm.status_code} {calm.reason_phrase}".encode()
    assert exit_code in {0, -signal.SIGTERM}
