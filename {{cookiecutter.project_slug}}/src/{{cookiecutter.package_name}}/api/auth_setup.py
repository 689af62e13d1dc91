"""Accounts and authentication, built once per application.

The dependencies in api/auth_deps.py hand these to each request's services.
"""

from datetime import timedelta

from fastapi import FastAPI

from {{ cookiecutter.package_name }}.api.audit_context import AuditContext
from {{ cookiecutter.package_name }}.api.oauth2 import install_token_errors
from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.email import Outbox, email_sender
from {{ cookiecutter.package_name }}.core.mfa import SecretBox, Totp
from {{ cookiecutter.package_name }}.core.ratelimit import RateLimiter, rate_limit_storage
from {{ cookiecutter.package_name }}.core.security import PasswordHasher, TokenCodec
from {{ cookiecutter.package_name }}.services.auth import AuthPolicy
from {{ cookiecutter.package_name }}.services.mfa import MfaPolicy
from {{ cookiecutter.package_name }}.services.password_reset import ResetPolicy


def install_auth(app: FastAPI, settings: Settings) -> None:
    """Hashing, tokens, rate limits, outgoing mail and the account policies, on app.state;
    the audit log's request context, bound at the start of every request."""
    state = app.state
    state.hasher = PasswordHasher.from_settings(settings)
    state.tokens = TokenCodec.from_settings(settings)
    state.limiter = RateLimiter(rate_limit_storage(settings))
    state.outbox = Outbox(email_sender(settings))
    # Mail still queued is sent before the process exits.
    state.resources.push_async_callback(state.outbox.drain)
    state.reset_policy = ResetPolicy(
        lifetime=timedelta(minutes=settings.password_reset_expire_minutes),
        url_template=settings.password_reset_url,
        sender=settings.email_from,
        project_name=settings.project_name,
    )
    state.auth_policy = AuthPolicy(
        refresh_lifetime=timedelta(days=settings.refresh_token_expire_days),
        login_attempts_per_account=settings.rate_limit_login_account,
        session_lifetime=timedelta(days=settings.session_max_lifetime_days),
        refresh_reuse_interval=timedelta(seconds=settings.refresh_reuse_interval_seconds),
    )
    state.totp = Totp(issuer=settings.project_name)
    state.mfa_box = SecretBox(settings.mfa_keys)
    state.mfa_policy = MfaPolicy(
        attempts_per_account=settings.rate_limit_mfa_account,
        recovery_codes=settings.mfa_recovery_codes,
    )
    state.observers.append(AuditContext(settings.forwarded_allow_ips))
    install_token_errors(app)
