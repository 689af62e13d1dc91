"""structlog set-up: JSON lines in production, readable console output elsewhere.

Every line carries the request id of the request being served (taken from the
asgi-correlation-id context variable), so a log search by request id shows the
whole story of one request. Standard-library loggers (uvicorn, SQLAlchemy,
Alembic) are routed through the same processors.
"""

import logging
import sys
from typing import Any, TextIO, cast

import structlog
from asgi_correlation_id import correlation_id
from structlog.typing import EventDict, Processor
{%- if cookiecutter.use_opentelemetry %}

from {{ cookiecutter.package_name }}.core.tracing import add_trace_ids
{%- endif %}

# Keys whose values must never reach a log line, whatever a caller passes.
REDACTED_KEYS = frozenset({"password", "new_password", "token", "access_token", "secret_key"})


def add_request_id(_: Any, __: str, event_dict: EventDict) -> EventDict:
    request_id = correlation_id.get()
    if request_id is not None:
        event_dict.setdefault("request_id", request_id)
    return event_dict


def redact_secrets(_: Any, __: str, event_dict: EventDict) -> EventDict:
    for key in REDACTED_KEYS.intersection(event_dict):
        event_dict[key] = "[redacted]"
    return event_dict


class CurrentStdout:
    """Writes to whatever `sys.stdout` is at the time of the write. A stream bound at
    configuration would outlive its owner: a test runner that swaps `sys.stdout` per run
    closes the one the logs were bound to, and the next line fails."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def configure_logging(*, level: str = "INFO", fmt: str = "console") -> None:
    """Configure structlog and the standard library once, at application start-up."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
{%- if cookiecutter.use_opentelemetry %}
        add_trace_ids,
{%- endif %}
    ]
    renderer: Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer()

    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        # structlog asks for a TextIO but uses only write() and flush().
        logger_factory=structlog.WriteLoggerFactory(file=cast(TextIO, CurrentStdout())),
        cache_logger_on_first_use=True,
    )

    handler = logging.StreamHandler(CurrentStdout())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # Our access log (api/middleware.py) replaces uvicorn's; SQL echo is controlled by SQL_ECHO.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
