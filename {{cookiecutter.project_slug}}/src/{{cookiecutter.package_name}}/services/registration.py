"""Registration that reveals nothing (PRIVATE_REGISTRATION): every address gets the same
answer at once, and the work happens in a background task. A new address gets its account; the
owner of a taken one gets an email saying someone tried, so neither the answer nor its timing
tells a caller whether an account exists.
"""

import asyncio

import structlog

from {{ cookiecutter.package_name }}.core.email import Outbox, render_message
from {{ cookiecutter.package_name }}.core.errors import EmailAlreadyRegistered
from {{ cookiecutter.package_name }}.schemas.user import UserCreate
from {{ cookiecutter.package_name }}.services.user import UserService

logger = structlog.get_logger(__name__)


class PrivateRegistration:
    """Starts registrations in the background and tells owners of taken addresses."""

    def __init__(
        self, users: UserService, *, outbox: Outbox, sender: str, project_name: str
    ) -> None:
        self.users = users
        self.outbox = outbox
        self.sender = sender
        self.project_name = project_name

    def start(self, data: UserCreate) -> None:
        """Register `data` in the background and return at once."""
        task = asyncio.create_task(self._register(data))
        # The outbox keeps tasks alive and lets tests and shutdown wait for them.
        self.outbox.track(task)

    async def _register(self, data: UserCreate) -> None:
        try:
            await self.users.register(data)
        except EmailAlreadyRegistered:
            self.outbox.submit(
                render_message(
                    template="registration_attempt",
                    to=data.email,
                    subject=f"Someone tried to register with your {self.project_name} address",
                    sender=self.sender,
                    values={"project": self.project_name},
                )
            )
            logger.info("registration_attempt_for_taken_email")
        except Exception as exc:  # a background task has nobody to raise to: log it
            logger.error("private_registration_failed", error=repr(exc))
