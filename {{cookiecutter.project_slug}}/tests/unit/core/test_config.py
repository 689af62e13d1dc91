"""Settings validation: fail fast on unsafe production configuration."""
{% if cookiecutter.use_auth %}
import base64
{%- endif %}
from typing import Any

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.core.config import Settings

STRONG_SECRET = "Hq3vZ0pW8-rT1yLk6_NbX4sJd9GmCe2uAo7fIi5VhRw"  # secrets.token_urlsafe(32)
{%- if cookiecutter.use_auth %}
MFA_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
# What else production needs to start (the email backend comes from conftest's environment).
PRODUCTION_EXTRAS: dict[str, Any] = {
    "mfa_encryption_keys": [MFA_KEY],
    "smtp_starttls": True,
    "password_reset_url": "https://app.example.com/reset-password?token={token}",
}
{%- else %}
PRODUCTION_EXTRAS: dict[str, Any] = {}
{%- endif %}


@pytest.mark.parametrize("given", ["warning", "Warning", "WARNING"])
def test_log_level_is_read_in_any_case(given: str):
    """LOG_LEVEL=warning is WARNING, as the logging module reads level names."""
    assert Settings(secret_key=STRONG_SECRET, log_level=given).log_level == "WARNING"


def test_an_unknown_log_level_is_refused_by_name():
    """A level that is none of the four is refused, naming the setting."""
    with pytest.raises(ValidationError, match="log_level"):
        Settings(secret_key=STRONG_SECRET, log_level="loud")


@pytest.mark.parametrize("secret", ["change-me", "", "short-secret"])
def test_production_refuses_weak_secret_key(secret: str):
    """Production refuses a placeholder, empty or short SECRET_KEY."""
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=secret)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("a" * 32, "different characters"),
        ("changeme" * 4, "different characters"),
        ("Password1!" * 4, "repeats"),
        ("correct-horse" * 3, "repeats"),
    ],
)
def test_production_refuses_low_entropy_secret_key(secret: str, reason: str):
    """Production refuses a long SECRET_KEY made of few characters or of a repeated pattern."""
    with pytest.raises(ValidationError, match=f"SECRET_KEY .*{reason}"):
        Settings(environment="production", secret_key=secret, **PRODUCTION_EXTRAS)


@pytest.mark.parametrize(
    "secret",
    [
        STRONG_SECRET,
        "3f9c1a7e5b2d4086c1e9f7a3b5d20c4e",  # secrets.token_hex(16), the shortest accepted kind
        "9b1e4d7a2c6f8035e1a9c7b4d2f6083a5c1e7b9d3f2a6c8e0b4d1f7a9c3e5b2d",  # token_hex(32)
    ],
)
def test_production_accepts_generated_secret_keys(secret: str):
    """Keys from `secrets.token_urlsafe` and `secrets.token_hex` pass the weak-key checks."""
    assert Settings(environment="production", secret_key=secret, **PRODUCTION_EXTRAS)


def test_production_requires_secret_key(monkeypatch: pytest.MonkeyPatch):
    """With no SECRET_KEY anywhere, settings cannot be built."""
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(ValidationError, match="secret_key"):
        Settings(environment="production", _env_file=None)


def test_production_accepts_strong_secret_and_logs_json():
    """A long random secret is accepted; production logs are JSON by default."""
    settings = Settings(environment="production", secret_key=STRONG_SECRET, **PRODUCTION_EXTRAS)

    assert settings.resolved_log_format == "json"
    assert not settings.sql_echo


def test_development_allows_placeholder_and_logs_for_humans():
    """Development tolerates a placeholder secret and logs to the console."""
    settings = Settings(environment="development", secret_key="change-me")

    assert settings.resolved_log_format == "console"


def test_refused_settings_do_not_print_other_values():
    """A start-up error names the problem without echoing any setting (secrets included)."""
    with pytest.raises(ValidationError) as caught:
        Settings(environment="production", secret_key="too-short-secret")

    message = str(caught.value)
    assert "SECRET_KEY must be at least" in message
    assert "input_value" not in message
    assert "too-short-secret" not in message


def test_secret_key_is_hidden_from_repr():
    """The secret never shows up in a printed settings object."""
    assert STRONG_SECRET not in repr(Settings(secret_key=STRONG_SECRET))
{%- if cookiecutter.use_auth %}


def test_console_email_is_refused_outside_development():
    """The console email sender (prints reset links) cannot be used in production."""
    with pytest.raises(ValidationError, match="EMAIL_BACKEND"):
        Settings(
            environment="production",
            secret_key=STRONG_SECRET,
            **{**PRODUCTION_EXTRAS, "email_backend": "console"},
        )


def test_production_refuses_plaintext_smtp():
    """Production refuses an SMTP connection with neither SMTP_TLS nor SMTP_STARTTLS: reset
    links would cross the network in the clear."""
    extras = {**PRODUCTION_EXTRAS, "smtp_tls": False, "smtp_starttls": False}

    with pytest.raises(ValidationError, match="SMTP_TLS or SMTP_STARTTLS"):
        Settings(environment="production", secret_key=STRONG_SECRET, **extras)


@pytest.mark.parametrize("host", ["smtp.example.com", "10.0.0.25", "::1"])
def test_production_refuses_unverified_smtp_to_a_remote_host(host: str):
    """Production refuses SMTP_VALIDATE_CERTS=false unless SMTP_HOST is a local service name:
    an unverified certificate lets anyone on the path read the reset links."""
    extras = {**PRODUCTION_EXTRAS, "smtp_host": host, "smtp_validate_certs": False}

    with pytest.raises(ValidationError, match="SMTP_VALIDATE_CERTS"):
        Settings(environment="production", secret_key=STRONG_SECRET, **extras)


def test_production_allows_unverified_smtp_to_a_local_mail_catcher():
    """compose.yaml's Mailpit (host `mailpit`, a self-signed certificate) is accepted."""
    extras = {**PRODUCTION_EXTRAS, "smtp_host": "mailpit", "smtp_validate_certs": False}

    settings = Settings(environment="production", secret_key=STRONG_SECRET, **extras)

    assert settings.smtp_validate_certs is False


def test_production_refuses_http_password_reset_url():
    """Production refuses a password-reset link on plain http://, where the token is readable
    to anyone on the path."""
    extras = {**PRODUCTION_EXTRAS, "password_reset_url": "http://app.example.com/r?token={token}"}

    with pytest.raises(ValidationError, match="PASSWORD_RESET_URL"):
        Settings(environment="production", secret_key=STRONG_SECRET, **extras)


def test_plaintext_smtp_and_http_reset_links_are_allowed_outside_production():
    """A local mail catcher and an http:// front end are fine in development and tests."""
    settings = Settings(
        environment="test", secret_key=STRONG_SECRET, smtp_tls=False, smtp_starttls=False
    )

    assert settings.password_reset_url.startswith("http://")


def test_production_requires_mfa_encryption_keys():
    """Production refuses to start without a key for TOTP secrets, and says how to make one."""
    with pytest.raises(ValidationError, match="MFA_ENCRYPTION_KEYS is required") as caught:
        Settings(
            environment="production",
            secret_key=STRONG_SECRET,
            **{**PRODUCTION_EXTRAS, "mfa_encryption_keys": []},
        )

    assert "urlsafe_b64encode" in str(caught.value)


def test_malformed_mfa_key_is_refused_in_every_environment():
    """A value that is not a Fernet key is refused, in development too."""
    with pytest.raises(ValidationError, match="not a Fernet key"):
        Settings(environment="development", secret_key="dev", mfa_encryption_keys=["too-short"])


def test_mfa_keys_default_to_one_derived_from_the_secret_outside_production():
    """Development needs no extra secret; the derived key differs from SECRET_KEY itself."""
    settings = Settings(environment="development", secret_key=STRONG_SECRET)

    [key] = settings.mfa_keys
    assert key != STRONG_SECRET
    assert Settings(environment="development", secret_key=STRONG_SECRET).mfa_keys == [key]
    assert MFA_KEY not in repr(Settings(secret_key=STRONG_SECRET, mfa_encryption_keys=[MFA_KEY]))
{%- endif %}
