"""Settings read from the environment and `.env`, validated once at start-up."""

import json
import zlib
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Literal
{%- if cookiecutter.use_auth %}
from urllib.parse import urlsplit
{%- endif %}

from pydantic import BeforeValidator, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
{%- if cookiecutter.use_auth %}

from {{ cookiecutter.package_name }}.core.mfa import check_key, derived_key
{%- endif %}

# Values that look like secrets but are not: refused outside development.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "placeholder", "dev"})
MIN_SECRET_LENGTH = 32
# A random key uses many different characters and does not repeat itself. These two limits
# catch keys typed by hand ("a" * 32, "changeme" * 4, "Password1!" * 4) and refused none of
# 100,000 keys each from secrets.token_hex(16), token_hex(32) and token_urlsafe(24 to 48).
MIN_SECRET_DISTINCT_CHARACTERS = 8
# DEFLATE (zlib) replaces repeats with back-references: a random key does not shrink at all,
# a repeated pattern shrinks to about half its length.
MAX_SECRET_COMPRESSION = 0.75
NEW_KEY_ADVICE = "generate one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"


def secret_weakness(secret: str) -> str | None:
    """Why `secret` cannot be a random key, or None when nothing gives it away."""
    if len(set(secret)) < MIN_SECRET_DISTINCT_CHARACTERS:
        return f"uses fewer than {MIN_SECRET_DISTINCT_CHARACTERS} different characters"
    raw = secret.encode()
    if len(zlib.compress(raw)) < MAX_SECRET_COMPRESSION * len(raw):
        return "repeats itself (a short pattern over and over)"
    return None


def _comma_separated(value: object) -> object:
    """Accept `a,b` as well as a JSON list for list settings read from the environment."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            return json.loads(value)
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


StrList = Annotated[list[str], NoDecode, BeforeValidator(_comma_separated)]


def _upper_case(value: object) -> object:
    """`warning` means `WARNING`: level names are case-insensitive, as in the logging module."""
    return value.upper() if isinstance(value, str) else value


LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper_case)]


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every tunable of the service; names match the environment variables."""

    # hide_input_in_errors: a refused setting must not print the others (secrets among them)
    # into the start-up error, which ends up in logs.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    project_name: str = "{{ cookiecutter.project_name }}"
    environment: Environment = Environment.DEVELOPMENT
    secret_key: str = Field(repr=False)

{%- if cookiecutter.database == "postgresql" %}
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/{{ cookiecutter.package_name }}"
{%- else %}
    database_url: str = "sqlite+aiosqlite:///./app.db"
{%- endif %}
    sql_echo: bool = False
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    db_pool_recycle: int = Field(default=1800, ge=-1)
    # Bounds on a request's database time, in seconds: opening a connection, and any one
    # statement (0 = unbounded, for migrations). Past either the request gets a 503.
    db_connect_timeout: float = Field(default=5.0, gt=0)
    db_statement_timeout: float = Field(default=10.0, ge=0)

    log_level: LogLevel = "INFO"
    log_format: Literal["console", "json"] | None = None
    # Paths whose successful requests get no access-log line (failures always do): the probes
    # an orchestrator calls every few seconds. Empty = log every request.
    access_log_quiet_paths: StrList = ["/health/live", "/health/ready"]

    # Browser and transport defences.
    cors_origins: StrList = []
    docs_enabled: bool | None = None
    max_body_size: int = Field(default=1024 * 1024, ge=1024)
    # Peers whose X-Forwarded-For is believed (your reverse proxies); empty = use the socket.
    forwarded_allow_ips: StrList = []

    # `{{ cookiecutter.package_name }} serve` listens here; its --host, --port and --workers win.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    # Seconds the server waits, after SIGTERM, for requests in flight before closing them. The
    # orchestrator's grace period must be longer (compose.yaml, deploy/kubernetes if rendered).
    shutdown_timeout: int = Field(default=20, ge=1)
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}

    redis_url: str = "redis://127.0.0.1:6379/0"
    # Prepended to every key, so several services (or test runs) can share one Redis.
    redis_prefix: str = "{{ cookiecutter.package_name }}"
    # Seconds to connect to Redis and for each command: a frozen Redis fails fast, not late.
    redis_timeout: float = Field(default=2.0, gt=0)
{%- endif %}
{%- if cookiecutter.use_opentelemetry %}

    # Base URL of an OTLP/HTTP collector (http://127.0.0.1:4318); unset turns tracing off.
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "{{ cookiecutter.project_slug }}"
{%- endif %}
{%- if cookiecutter.use_auth %}

    access_token_expire_minutes: int = Field(default=30, ge=1, le=24 * 60)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    # OWASP's recommended Argon2id floor: 19 MiB, 2 passes, 1 lane (~26 ms on 2 cores).
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_cost: int = Field(default=19456, ge=8192)
    argon2_parallelism: int = Field(default=1, ge=1)
    refresh_token_expire_days: int = Field(default=14, ge=1, le=365)
    # A login session ends this long after it started, however often its refresh token is
    # rotated (ASVS 3.3.2): then the user logs in again.
    session_max_lifetime_days: int = Field(default=30, ge=1, le=365)
    # Seconds within which a refresh token presented again right after its rotation (two tabs
    # refreshing at once) gets the same successor instead of revoking the session. A thief
    # racing the owner within it goes unnoticed: 0 (the default) treats every reuse as theft.
    refresh_reuse_interval_seconds: int = Field(default=0, ge=0, le=60)

    # Rate limits in the `limits` notation ("5/minute", "100/hour").
    rate_limit_login_account: str = "5/minute"
    rate_limit_login_address: str = "20/minute"
    rate_limit_register_address: str = "10/minute"
    rate_limit_refresh_address: str = "30/minute"
    rate_limit_password_reset_address: str = "5/minute"  # noqa: S105  # a rate, not a secret
    # Wrong second-factor codes per account (then refused until the window has passed), and
    # second-factor attempts per client address.
    rate_limit_mfa_account: str = "5/15minutes"
    rate_limit_mfa_address: str = "30/minute"

    # TOTP second factor. Fernet keys, comma-separated: the first encrypts, every one decrypts
    # (put a new key first to rotate). Required in production; elsewhere, unset derives a key
    # from SECRET_KEY.
    mfa_encryption_keys: StrList = Field(default=[], repr=False)
    mfa_token_expire_minutes: int = Field(default=5, ge=1, le=30)
    mfa_recovery_codes: int = Field(default=10, ge=4, le=32)

    # Registration answers 201 with the profile, or 409 when the email is taken, which tells
    # anyone whether an address has an account. True: 202 with the same body for every
    # address, the account made (or the owner of a taken address emailed) in the background.
    private_registration: bool = False

    # Password reset by email. The link is where your front end takes the token.
    password_reset_expire_minutes: int = Field(default=30, ge=1, le=24 * 60)
    password_reset_url: str = "http://127.0.0.1:8000/reset-password?token={token}"  # noqa: S105
    email_backend: Literal["smtp", "console"] = "console"
    email_from: str = "no-reply@example.com"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_tls: bool = False
    smtp_starttls: bool = False
    # False encrypts without checking the server's certificate: for a mail catcher with a
    # self-signed one (compose's Mailpit). Production allows it only for a host name without
    # dots, a service on the same private network; a real mail server must verify.
    smtp_validate_certs: bool = True
    smtp_user: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_timeout: float = Field(default=10.0, gt=0)
{%- endif %}

{%- if cookiecutter.use_auth %}

    @property
    def mfa_keys(self) -> list[str]:
        """The keys that encrypt TOTP secrets (see MFA_ENCRYPTION_KEYS)."""
        return self.mfa_encryption_keys or [derived_key(self.secret_key)]
{%- endif %}

    @property
    def is_production(self) -> bool:
        return self.environment == Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def resolved_log_format(self) -> str:
        """JSON for machines in production, colours for humans elsewhere, unless set."""
        if self.log_format:
            return self.log_format
        return "json" if self.is_production else "console"

    @property
    def show_docs(self) -> bool:
        """OpenAPI pages are off in production unless DOCS_ENABLED says otherwise."""
        return self.docs_enabled if self.docs_enabled is not None else not self.is_production

    @model_validator(mode="after")
    def _refuse_open_cors_in_production(self) -> "Settings":
        if self.is_production and "*" in self.cors_origins:
            raise ValueError("CORS_ORIGINS must list origins explicitly in production, not '*'")
        return self

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> "Settings":
        if self.environment == Environment.DEVELOPMENT:
            return self
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(f"SECRET_KEY is a placeholder; {NEW_KEY_ADVICE}")
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        if weakness := secret_weakness(self.secret_key):
            raise ValueError(f"SECRET_KEY {weakness}: it is not a random key; {NEW_KEY_ADVICE}")
        return self

{%- if cookiecutter.use_auth %}

    @model_validator(mode="after")
    def _refuse_console_email_outside_development(self) -> "Settings":
        if self.email_backend == "console" and self.environment != Environment.DEVELOPMENT:
            raise ValueError(
                "EMAIL_BACKEND=console only prints messages; set EMAIL_BACKEND=smtp and SMTP_HOST"
            )
        return self

    @model_validator(mode="after")
    def _refuse_plaintext_email_in_production(self) -> "Settings":
        # Reset links are bearer credentials: on the wire in the clear, anyone on the path
        # between us and the mail server, or the user and the front end, can use them.
        if not self.is_production:
            return self
        if self.email_backend == "smtp" and not (self.smtp_tls or self.smtp_starttls):
            raise ValueError(
                "SMTP without encryption in production: set SMTP_TLS or SMTP_STARTTLS to true"
            )
        local_name = self.smtp_host.replace("-", "").isalnum()  # one DNS label: no dots
        if self.email_backend == "smtp" and not self.smtp_validate_certs and not local_name:
            raise ValueError(
                "SMTP_VALIDATE_CERTS=false in production is only for a local mail catcher (a"
                " host name without dots); verify the certificate of SMTP_HOST"
            )
        if urlsplit(self.password_reset_url).scheme.lower() == "http":
            raise ValueError("PASSWORD_RESET_URL must not be http:// in production; use https://")
        return self

    @model_validator(mode="after")
    def _check_mfa_keys(self) -> "Settings":
        hint = (
            "generate one with `python -c 'import base64, os; "
            "print(base64.urlsafe_b64encode(os.urandom(32)).decode())'`"
        )
        for key in self.mfa_encryption_keys:
            try:
                check_key(key)
            except ValueError:
                raise ValueError(
                    f"MFA_ENCRYPTION_KEYS holds a value that is not a Fernet key; {hint}"
                ) from None
        if self.is_production and not self.mfa_encryption_keys:
            raise ValueError(
                f"MFA_ENCRYPTION_KEYS is required in production (it encrypts TOTP secrets); {hint}"
            )
        return self
{%- endif %}


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()  # secret_key comes from the environment


def settings_or_exit() -> Settings:
    """The process-wide settings; if any is refused, exit with one line per problem, naming
    the setting, instead of a traceback (the server, the command line and migrations)."""
    try:
        return get_settings()
    except ValidationError as error:
        raise SystemExit("\n".join(describe_problems(error))) from None


def describe_problems(error: ValidationError) -> list[str]:
    """`LOG_LEVEL: Input should be ... (set LOG_LEVEL in the environment or .env)` for each
    refused field; checks across settings already name theirs and say what to do."""
    lines = []
    for problem in error.errors(include_url=False):
        message = problem["msg"].removeprefix("Value error, ")
        setting = "_".join(str(part) for part in problem["loc"]).upper()
        if setting:
            message = f"{setting}: {message} (set {setting} in the environment or .env)"
        lines.append(message)
    return lines
