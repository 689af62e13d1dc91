"""Settings validation: fail fast on unsafe production configuration."""
{% if cookiecutter.use_auth %}
import base64
{% endif %}
import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.core.config import Settings

STRONG_SECRET = "x" * 48
{%- if cookiecutter.use_auth %}
MFA_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
# What else production needs to start (the email backend comes from conftest's environment).
PRODUCTION_EXTRAS: dict[str, object] = {"mfa_encryption_keys": [MFA_KEY]}
{%- else %}
PRODUCTION_EXTRAS: dict[str, object] = {}
{%- endif %}


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
        Settings(environment="production", secret_key=STRONG_SECRET, email_backend="console")


def test_production_requires_mfa_encryption_keys():
    """Production refuses to start without a key for TOTP secrets, and says how to make one."""
    with pytest.raises(ValidationError, match="MFA_ENCRYPTION_KEYS is required") as caught:
        Settings(environment="production", secret_key=STRONG_SECRET, mfa_encryption_keys=[])

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
