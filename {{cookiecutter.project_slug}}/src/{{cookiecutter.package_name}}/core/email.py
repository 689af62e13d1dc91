"""Outgoing email: an `EmailSender` protocol, SMTP and console implementations, and
an outbox that delivers in the background with retries.

The request path never waits for a mail server: it hands the message to the
outbox and answers. A server that is down is retried a few times, then the
failure is logged (without the message body, which may hold a token).
"""

import asyncio
from email.message import EmailMessage
from importlib import resources
from string import Template
from typing import Any, Protocol

import aiosmtplib
import structlog

from {{ cookiecutter.package_name }}.core.config import Settings

logger = structlog.get_logger(__name__)


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpEmailSender:
    """Delivers through an SMTP server (aiosmtplib): TLS, STARTTLS or plain, with login."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        s = self._settings
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_user or None,
            password=s.smtp_password or None,
            use_tls=s.smtp_tls,
            start_tls=s.smtp_starttls,
            validate_certs=s.smtp_validate_certs,
            timeout=s.smtp_timeout,
        )


class ConsoleEmailSender:
    """Prints messages to stdout instead of sending them: development only (settings refuse
    it elsewhere), so reset links can be followed without a mail server."""

    async def send(self, message: EmailMessage) -> None:
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        print(f"--- email to {message['To']}: {message['Subject']}\n{text}---", flush=True)


def email_sender(settings: Settings) -> EmailSender:
    if settings.email_backend == "console":
        return ConsoleEmailSender()
    return SmtpEmailSender(settings)


def render_message(
    *, template: str, to: str, subject: str, sender: str, values: dict[str, str]
) -> EmailMessage:
    """A plain-text and HTML message from `templates/<template>.txt` and `.html`."""
    files = resources.files("{{ cookiecutter.package_name }}") / "templates"
    text = Template((files / f"{template}.txt").read_text()).substitute(values)
    html = Template((files / f"{template}.html").read_text()).substitute(values)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class Outbox:
    """Sends messages in background tasks, retrying with backoff."""

    def __init__(self, sender: EmailSender, *, attempts: int = 3, backoff: float = 1.0) -> None:
        self.sender = sender
        self.attempts = attempts
        self.backoff = backoff
        self._tasks: set[asyncio.Task[Any]] = set()
        self.sent = 0
        self.dropped = 0

    def submit(self, message: EmailMessage) -> None:
        self.track(asyncio.create_task(self._deliver(message)))

    def track(self, task: asyncio.Task[Any]) -> None:
        """Hold a background task until it is done (the event loop keeps only weak references)."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every message in flight (tests; application shutdown), including those
        submitted meanwhile. A finished task can stay in `_tasks` until the event loop runs
        its callback, and from Python 3.13 `gather` over finished tasks returns without
        yielding to the loop: so only unfinished tasks are awaited, or this would spin."""
        while pending := [task for task in self._tasks if not task.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

    async def _deliver(self, message: EmailMessage) -> bool:
        for attempt in range(1, self.attempts + 1):
            try:
                await self.sender.send(message)
            except (OSError, aiosmtplib.SMTPException) as exc:
                logger.warning("email_send_failed", attempt=attempt, error=repr(exc))
                if attempt < self.attempts:
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            else:
                self.sent += 1
                logger.info("email_sent", subject=message["Subject"])
                return True
        self.dropped += 1
        logger.error("email_dropped", subject=message["Subject"], attempts=self.attempts)
        return False
