"""OpenTelemetry tracing: a span per request and per database query, exported over OTLP/HTTP.

Tracing is on only when OTEL_EXPORTER_OTLP_ENDPOINT names a collector; without it nothing is
built and FastAPI's telemetry stays off. Request spans come from FastAPI's own telemetry (pure
ASGI, inside the application), which names them by route template (`GET /api/v1/items/{item_id}`)
with the prefixes of every included router; opentelemetry-instrumentation-asgi would read the
template from scope["route"], which lacks those prefixes. Query spans come
from opentelemetry-instrumentation-sqlalchemy. Log lines carry the ids of the current span.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.typing import EventDict

from {{ cookiecutter.package_name }}.core.config import Settings


def create_tracer_provider(settings: Settings) -> TracerProvider | None:
    """A provider batching spans to the collector, or None when no endpoint is set."""
    endpoint = settings.otel_exporter_otlp_endpoint
    if not endpoint:
        return None
    resource = Resource.create({SERVICE_NAME: settings.otel_service_name})
    provider = TracerProvider(resource=resource)
    # The base URL of an OTLP/HTTP collector, as OpenTelemetry's own variable means it.
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def telemetry_config(provider: TracerProvider | None) -> TelemetryConfig:
    """FastAPI's telemetry: request spans only (metrics and logs have their own channels)."""
    if provider is None:
        return {"tracing": False, "metrics": False, "logs": False}
    return {
        "tracer_provider": provider,
        "metrics": False,
        "logs": False,
        # Spans for dependency resolution and serialization: set True to see where time goes.
        "operation_spans": False,
    }


def install_tracing(app: FastAPI, provider: TracerProvider | None) -> None:
    """Query spans on the application's engine; buffered spans are sent at shutdown."""
    app.state.tracer_provider = provider
    instrument_engine(app.state.engine, provider)
    app.state.resources.callback(shutdown_tracing, provider)


def instrument_engine(engine: AsyncEngine, provider: TracerProvider | None) -> None:
    """Trace every query the engine runs, as a child of the request span.

    The instrumentation declares sqlalchemy<2.1 and, without skip_dep_check, logs an error and
    instruments nothing; it works with 2.1 (tests/api/test_tracing.py proves it). It is
    process-wide: the first call wins, which suits one application per process.
    """
    if provider is None:
        return
    SQLAlchemyInstrumentor().instrument(
        engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True
    )


def shutdown_tracing(provider: TracerProvider | None) -> None:
    """Send the spans still buffered, at shutdown."""
    if provider is not None:
        provider.shutdown()


def add_trace_ids(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: the trace and span ids of the current span, as hex strings."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict
