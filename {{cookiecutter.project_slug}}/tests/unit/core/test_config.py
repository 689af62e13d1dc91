"""Settings validation: fail fast on unsafe production configuration."""

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.core.config import Settings

STRONG_SECRET = "x" * 48


@pytest.mark.parametrize("secret", ["change-me", "", "short-secret"])
def test_production_refuses_weak_secret_key(secret: str):
    """Production refuses a placeholder, empty or short SECRET_KEY."""
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=secret)


def test_production_requires_secret_key(monkeypatch: pytest.MonkeyPatch):
    """With no SECRET_KEY anywhere, settings cannot be built."""
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(ValidationError, match="secret_key"):
        Settings(environment="production", _env_file=None)


def test_production_accepts_strong_secret_and_logs_json():
    """A long random secret is accepted; production logs are JSON by default."""
    settings = Settings(environment="production", secret_key=STRONG_SECRET)

    assert settings.resolved_log_format == "json"
    assert not settings.sql_echo


def test_development_allows_placeholder_and_logs_for_humans():
    """Development tolerates a placeholder secret and logs to the console."""
    settings = Settings(environment="development", secret_key="change-me")

    assert settings.resolved_log_format == "console"


def test_secret_key_is_hidden_from_repr():
    """The secret never shows up in a printed settings object."""
    assert STRONG_SECRET not in repr(Settings(secret_key=STRONG_SECRET))
{%- if cookiecutter.use_auth %}


def test_console_email_is_refused_outside_development():
    """The console email sender (prints reset links) cannot be used in production."""
    with pytest.raises(ValidationError, match="EMAIL_BACKEND"):
        Settings(environment="production", secret_key=STRONG_SECRET, email_backend="console")
{%- endif %}
