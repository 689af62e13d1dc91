"""The outbox: background delivery that shutdown and tests can wait for."""

import asyncio
import threading
from collections.abc import Coroutine
from email.message import EmailMessage
from typing import Any

from {{ cookiecutter.package_name }}.core.email import Outbox


class RecordingSender:
    """Delivers by remembering, after yielding once to the event loop as a network call would."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message: EmailMessage) -> None:
        await asyncio.sleep(0)
        self.sent.append(message["Subject"])


def message(subject: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    return mail


def finishes(scenario: Coroutine[Any, Any, None], seconds: float = 5) -> bool:
    """Whether `scenario` completes on an event loop of its own within `seconds`. A drain that
    spins never gives the loop back, so it would hang a test run on the suite's loop; in a
    daemon thread it fails the test instead."""
    done = threading.Event()

    async def run() -> None:
        await scenario
        done.set()

    threading.Thread(target=asyncio.run, args=(run(),), daemon=True).start()
    return done.wait(timeout=seconds)


def test_drain_waits_for_mail_submitted_while_draining():
    """A task being drained may queue more mail (a registration that emails the owner): drain
    returns only once that is sent too."""
    sender = RecordingSender()

    async def scenario() -> None:
        outbox = Outbox(sender)

        async def register_then_notify() -> None:
            await asyncio.sleep(0.01)
            outbox.submit(message("second"))

        outbox.submit(message("first"))
        outbox.track(asyncio.create_task(register_then_notify()))
        await outbox.drain()

    assert finishes(scenario())
    assert sorted(sender.sent) == ["first", "second"]


def test_drain_returns_while_a_finished_task_awaits_its_callback():
    """A task that finished before the loop ran its done-callback is still held by the outbox.
    Drain must return rather than spin: from Python 3.13, `gather` over finished tasks does
    not yield, so the callback that would release the task never runs."""

    async def scenario() -> None:
        outbox = Outbox(RecordingSender())
        task = asyncio.create_task(asyncio.sleep(0))
        await asyncio.sleep(0.01)  # the task is done; no callback is waiting yet
        outbox.track(task)  # its done-callback is now scheduled, not run
        await outbox.drain()

    assert finishes(scenario())
