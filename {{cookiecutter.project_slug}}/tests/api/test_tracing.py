"""Tracing: request and query spans reach the exporter; log lines carry the span's ids."""

from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest
import structlog
from fastapi import FastAPI
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from {{ cookiecutter.package_name }}.core import tracing
from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import close_app

ITEM_TEMPLATE = "/api/v1/items/{item_id}"


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """Where the traced app's spans land, instead of an OTLP collector."""
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.shutdown()


@pytest.fixture(scope="module")
async def traced_app(
    settings: Settings, engine, exporter: InMemorySpanExporter
) -> AsyncIterator[FastAPI]:
    """An app with a collector endpoint set, whose OTLP exporter is the in-memory one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tracing, "OTLPSpanExporter", lambda **_: exporter)
        update = {"otel_exporter_otlp_endpoint": "http://collector.invalid:4318"}
        app = create_app(settings.model_copy(update=update))
    yield app
    await close_app(app)
    SQLAlchemyInstrumentor().uninstrument()


@pytest.fixture
async def traced_client(
    traced_app: FastAPI, exporter: InMemorySpanExporter
) -> AsyncIterator[httpx2.AsyncClient]:
    """A client of the traced app; the exporter starts empty."""
    exporter.clear()
    transport = httpx2.ASGITransport(app=traced_app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def flushed(app: FastAPI, exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    """Every span finished so far, once the batch processor has handed them over."""
    app.state.tracer_provider.force_flush()
    return list(exporter.get_finished_spans())


async def test_request_span_is_named_by_route_template(
    traced_app: FastAPI, exporter: InMemorySpanExporter, traced_client: httpx2.AsyncClient
):
    """A request makes one server span named by method and route template, not the raw path."""
    await traced_client.get("/api/v1/items/12345")

    [server] = [span for span in flushed(traced_app, exporter) if span.kind == SpanKind.SERVER]
    assert server.name == f"GET {ITEM_TEMPLATE}"
    assert server.attributes is not None
    assert server.attributes["http.route"] == ITEM_TEMPLATE
    assert "http.response.status_code" in server.attributes


async def test_queries_are_traced_inside_the_request(
    traced_app: FastAPI, exporter: InMemorySpanExporter, traced_client: httpx2.AsyncClient
):
    """The readiness probe's SELECT 1 is a client span in the request's trace."""
    response = await traced_client.get("/health/ready")

    assert response.status_code == 200
    finished = flushed(traced_app, exporter)
    [server] = [span for span in finished if span.kind == SpanKind.SERVER]
    queries = [span for span in finished if span.kind == SpanKind.CLIENT]
    assert queries, "no database span: the SQLAlchemy instrumentation traced nothing"
    statements = [
        str(attributes.get("db.statement") or attributes.get("db.query.text"))
        for attributes in (span.attributes or {} for span in queries)
    ]
    assert any("SELECT 1" in statement for statement in statements)
    assert {span.context.trace_id for span in queries} == {server.context.trace_id}


async def test_log_lines_carry_trace_and_span_ids(traced_app: FastAPI):
    """Inside a span, log events get its trace_id and span_id; outside, they get neither."""
    tracer = traced_app.state.tracer_provider.get_tracer(__name__)

    with tracer.start_as_current_span("work") as span:
        inside = tracing.add_trace_ids(None, "info", {"event": "inside"})
    outside = tracing.add_trace_ids(None, "info", {"event": "outside"})

    assert inside["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert inside["span_id"] == format(span.get_span_context().span_id, "016x")
    assert "trace_id" not in outside
    assert tracing.add_trace_ids in structlog.get_config()["processors"]


def test_tracing_is_off_without_endpoint(app: FastAPI, settings: Settings):
    """Without OTEL_EXPORTER_OTLP_ENDPOINT no provider is built and FastAPI's tracing is off."""
    assert not settings.otel_exporter_otlp_endpoint
    assert tracing.create_tracer_provider(settings) is None
    assert app.state.tracer_provider is None
    assert tracing.telemetry_config(None)["tracing"] is False
