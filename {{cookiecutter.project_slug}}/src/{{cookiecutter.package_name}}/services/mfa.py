"""TOTP two-factor authentication: set up, confirm, turn off, and redeem codes.

An accepted code's time step is recorded with a conditional UPDATE, so the same
code (or an older one) never works twice, even for two racing requests. A
recovery code stands in for an authenticator code, once. Every code tried counts
against a per-account limit before it is checked, and wrong codes are audited.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import structlog

from {{ cookiecutter.package_name }}.core.errors import (
    MfaAlreadyEnabled,
    MfaCodeRejected,
    MfaNotEnabled,
    MfaNotSetUp,
)
from {{ cookiecutter.package_name }}.core.mfa import (
    SecretBox,
    Totp,
    is_totp_code,
    new_recovery_codes,
    normalize_recovery_code,
)
from {{ cookiecutter.package_name }}.core.ratelimit import RateLimiter
from {{ cookiecutter.package_name }}.core.security import hash_token
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.models.mfa import MfaFactor
from {{ cookiecutter.package_name }}.schemas.auth import MfaSetupRead, MfaStatusRead, RecoveryCodesRead
from {{ cookiecutter.package_name }}.schemas.user import UserRead
from {{ cookiecutter.package_name }}.services.audit import audit_entry
from {{ cookiecutter.package_name }}.services.reauthentication import PasswordConfirmation

logger = structlog.get_logger(__name__)


class SecondFactor(StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


@dataclass(frozen=True, slots=True)
class MfaPolicy:
    attempts_per_account: str
    recovery_codes: int


@dataclass(frozen=True, slots=True)
class RotationResult:
    rotated: int
    unreadable: list[int]  # user ids whose secret no configured key opens


async def reencrypt_secrets(uow: UnitOfWork, box: SecretBox, *, batch: int = 500) -> RotationResult:
    """Re-encrypt every TOTP secret under the first of `box`'s keys, a batch per transaction,
    so the older keys can then be removed from MFA_ENCRYPTION_KEYS."""
    rotated, unreadable, last_id = 0, [], 0
    while True:
        async with uow:
            factors = await uow.mfa.page_after(last_id, limit=batch)
            for factor in factors:
                try:
                    factor.secret_encrypted = box.rotate(factor.secret_encrypted)
                    rotated += 1
                except ValueError:
                    unreadable.append(factor.user_id)
            await uow.commit()
        if len(factors) < batch:
            return RotationResult(rotated=rotated, unreadable=unreadable)
        last_id = factors[-1].user_id


class MfaService:
    """The caller's TOTP factor, and the code checks that login also relies on."""

    def __init__(
        self,
        uow: UnitOfWork,
        *,
        totp: Totp,
        box: SecretBox,
        limiter: RateLimiter,
        policy: MfaPolicy,
        password_check: PasswordConfirmation,
    ) -> None:
        self.uow = uow
        self.totp = totp
        self.box = box
        self.limiter = limiter
        self.policy = policy
        self.password_check = password_check  # shares this service's Unit of Work

    async def status(self, user: UserRead) -> MfaStatusRead:
        # Not mutated: the block only reads, so its mode changes how it reads, not what.
        async with self.uow(read_only=True):  # pragma: no mutate
            factor = await self.uow.mfa.get_enabled(user.id)
            left = await self.uow.mfa.count_recovery_codes_left(user.id) if factor else 0
        return MfaStatusRead(enabled=factor is not None, recovery_codes_left=left)

    async def setup(self, user: UserRead) -> MfaSetupRead:
        """A new secret for the user's app; it protects nothing until `enable` confirms it."""
        secret = self.totp.new_secret()
        async with self.uow:
            if await self.uow.mfa.get_enabled(user.id) is not None:
                raise MfaAlreadyEnabled
            await self.uow.mfa.replace_pending(user.id, self.box.encrypt(secret))
            await self.uow.commit()
        logger.info("mfa_setup_started", user_id=user.id)
        return MfaSetupRead(
            secret=secret, otpauth_uri=self.totp.provisioning_uri(secret, account=user.email)
        )

    async def enable(
        self, user: UserRead, code: str, *, password: str, keep_session_id: str
    ) -> RecoveryCodesRead:
        """Turn MFA on with the current password and a first code from the app; returns the
        recovery codes (shown once).

        Every other session of the user ends: they began with the password alone.
        """
        await self.password_check.confirm(user, password, action="enable_mfa")
        await self.count_attempt(user.id)
        now = datetime.now(UTC)
        codes = new_recovery_codes(self.policy.recovery_codes)
        async with self.uow:
            factor = await self.uow.mfa.get(user.id)
            if factor is None:
                raise MfaNotSetUp
            if factor.enabled_at is not None:
                raise MfaAlreadyEnabled
            if is_totp_code(code) and await self.redeem(factor, code, now=now) is not None:
                await self.uow.mfa.mark_enabled(user.id, now=now)
                await self.uow.mfa.replace_recovery_codes(
                    user.id, [hash_token(normalize_recovery_code(each)) for each in codes]
                )
                ended = await self.uow.sessions.revoke_all(
                    user.id, now=now, keep_session_id=keep_session_id
                )
                await self.uow.audit.add(
                    audit_entry(
                        "auth.mfa_enabled",
                        actor_id=user.id,
                        entity=("user", user.id),
                        details={"other_sessions_ended": ended},
                    )
                )
                await self.uow.commit()
                logger.info("mfa_enabled", user_id=user.id)
                return RecoveryCodesRead(recovery_codes=codes)
        await self.record_failure(user.id, "enable")
        raise MfaCodeRejected

    async def disable(self, user: UserRead, code: str, *, password: str) -> None:
        """Turn MFA off with the current password and an authenticator or recovery code."""
        await self.password_check.confirm(user, password, action="disable_mfa")
        await self.count_attempt(user.id)
        now = datetime.now(UTC)
        async with self.uow:
            factor = await self.uow.mfa.get_enabled(user.id)
            if factor is None:
                raise MfaNotEnabled
            used = await self.redeem(factor, code, now=now)
            if used is not None:
                await self.uow.mfa.remove(user.id)
                await self.uow.audit.add(
                    audit_entry(
                        "auth.mfa_disabled",
                        actor_id=user.id,
                        entity=("user", user.id),
                        details={"second_factor": used.value},
                    )
                )
                await self.uow.commit()
                logger.info("mfa_disabled", user_id=user.id)
                return
        await self.record_failure(user.id, "disable")
        raise MfaCodeRejected

    async def redeem(self, factor: MfaFactor, code: str, *, now: datetime) -> SecondFactor | None:
        """Accept `code` for `factor` once, or return None. Runs inside the caller's open
        Unit of Work (the same `uow`), whose commit makes the use final."""
        if is_totp_code(code):
            try:
                secret = self.box.decrypt(factor.secret_encrypted)
            except ValueError:
                # The key that encrypted it is gone from MFA_ENCRYPTION_KEYS: an operator error.
                # Codes cannot be checked; recovery codes (hashed, not encrypted) still work.
                logger.error("mfa_secret_unreadable", user_id=factor.user_id)
                return None
            step = self.totp.matching_step(secret, code, now=now)
            if step is not None and await self.uow.mfa.claim_step(factor.user_id, step):
                return SecondFactor.TOTP
            return None
        code_hash = hash_token(normalize_recovery_code(code))
        if await self.uow.mfa.spend_recovery_code(factor.user_id, code_hash, now=now):
            await self.uow.audit.add(
                audit_entry(
                    "auth.mfa_recovery_code_used",
                    actor_id=factor.user_id,
                    entity=("user", factor.user_id),
                )
            )
            logger.warning("mfa_recovery_code_used", user_id=factor.user_id)
            return SecondFactor.RECOVERY_CODE
        return None

    async def record_failure(self, user_id: int, action: str) -> None:
        """Audit a wrong code, in its own transaction (the attempt was already counted)."""
        async with self.uow:
            await self.uow.audit.add(
                audit_entry(
                    "auth.mfa_failed",
                    actor_id=user_id,
                    entity=("user", user_id),
                    details={"action": action},
                )
            )
            await self.uow.commit()
        logger.info("mfa_failed", user_id=user_id, action=action)

    async def count_attempt(self, user_id: int) -> None:
        """Count a code against the account's limit before it is checked; refuse (429)
        once the limit is used up."""
        await self.limiter.hit(self.policy.attempts_per_account, "mfa", str(user_id))
