"""Prometheus metrics: requests, latencies, requests in flight, and the database pool.

`GET /metrics` serves them in the Prometheus text format. `RequestMetrics` observes every
request from the edge middleware (api/middleware.py), and cheaply: one dictionary lookup finds
label children built on first use, then a counter increment and a histogram observation (a
few microseconds in all).

Requests are labelled by route *template* (`/api/v1/items/{item_id}`), never by raw path, so
the number of series stays bounded; paths no route matches share the label `<unmatched>`.
Several worker processes each count on their own: set PROMETHEUS_MULTIPROC_DIR to an empty
folder shared by the workers and /metrics reports their sums (docs/OPERATIONS.md).
"""

import os
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

METRICS_PATH = "/metrics"
UNMATCHED = "<unmatched>"
LABELS = ("method", "route", "status")
IN_PROGRESS = "http_requests_in_progress"
IN_PROGRESS_HELP = "HTTP requests being served right now."
# Any other method is counted as OTHER, so a client cannot mint new series at will.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# (metric, help, pool method): read from SQLAlchemy's queue pool at scrape time.
POOL_GAUGES = (
    ("db_pool_size", "Connections the pool keeps open at most (DB_POOL_SIZE).", "size"),
    ("db_pool_checked_out", "Connections in use right now.", "checkedout"),
    ("db_pool_checked_in", "Idle connections waiting in the pool.", "checkedin"),
    ("db_pool_overflow", "Connections open beyond the pool size (DB_MAX_OVERFLOW).", "overflow"),
)


def multiprocess_dir() -> str | None:
    """The folder shared by worker processes, if several serve this service."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class PoolCollector(Collector):
    """Database pool gauges, read from the engine's current pool on every scrape."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        pool = self.engine.pool  # looked up each time: dispose() replaces it
        for name, documentation, method in POOL_GAUGES:
            read = getattr(pool, method, None)
            if read is not None:  # NullPool and StaticPool keep no counts
                # overflow() is negative until the pool is full: nothing beyond it yet.
                yield GaugeMetricFamily(name, documentation, value=max(read(), 0))


class InFlightGauge(Collector):
    """Requests being served, in a plain integer: the middleware runs on the event loop only,
    so it needs none of the locking a prometheus_client Gauge pays for on every change."""

    def __init__(self) -> None:
        self.value = 0

    def inc(self) -> None:
        self.value += 1

    def dec(self) -> None:
        self.value -= 1

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(IN_PROGRESS, IN_PROGRESS_HELP, value=self.value)


class RequestMetrics:
    """One application's metrics, in a registry of its own (tests build several apps)."""

    def __init__(self, app: FastAPI, *, engine: AsyncEngine) -> None:
        self.app = app
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests", "HTTP requests answered.", LABELS, registry=self.registry
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time from receiving a request to finishing its response.",
            LABELS,
            registry=self.registry,
        )
        self.in_progress: Gauge | InFlightGauge
        if multiprocess_dir() is None:
            self.in_progress = InFlightGauge()
            self.registry.register(self.in_progress)
            # Process metrics describe one process: meaningless summed over workers.
            for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
                self.registry.register(collector)
        else:
            # Shared through the multiprocess folder; livesum adds up the live workers.
            self.in_progress = Gauge(
                IN_PROGRESS,
                IN_PROGRESS_HELP,
                registry=self.registry,
                multiprocess_mode="livesum",
            )
        self.pool = PoolCollector(engine)
        self.registry.register(self.pool)
        # (method, id(route), status) -> the counter and histogram children for those labels.
        self._children: dict[tuple[str, int, int], tuple[Counter, Histogram]] = {}
        self._templates: dict[int, str] = {}
        self._plain_routes: dict[str, BaseRoute] | None = None

    def request_started(self, scope: Scope) -> None:
        self.in_progress.inc()

    def request_finished(self, scope: Scope, status: int, seconds: float) -> None:
        """Count one finished request and its duration under its method, route and status."""
        self.in_progress.dec()
        method = scope["method"]
        if method not in KNOWN_METHODS:
            method = "OTHER"
        route = scope.get("route")
        if route is None:
            route = self._plain_route(scope["path"])
        key = (method, id(route), status)
        children = self._children.get(key)
        if children is None:
            labels = (method, self.template(route), status)
            children = self.requests.labels(*labels), self.duration.labels(*labels)
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def _plain_route(self, path: str) -> BaseRoute | None:
        """The parameterless Starlette route (the docs pages) serving path, if any.

        FastAPI puts only its own APIRoutes in scope["route"]; plain routes are found by path.
        """
        if self._plain_routes is None:
            self._plain_routes = {
                context.path_format: context.original_route
                for context in iter_route_contexts(self.app.routes)
                if context.path_format is not None
                and isinstance(context.original_route, Route)
                and not isinstance(context.original_route, APIRoute)
                and not context.original_route.param_convertors
            }
        return self._plain_routes.get(path)

    def template(self, route: object) -> str:
        """The path template of the route Starlette matched (set in scope["route"])."""
        if route is None:
            return UNMATCHED
        if id(route) not in self._templates:
            # A route keeps its own path, without the prefixes of the routers that include
            # it; iter_route_contexts() gives the full templates.
            for context in iter_route_contexts(self.app.routes):
                if context.path_format is not None:
                    self._templates.setdefault(id(context.original_route), context.path_format)
        found = self._templates.get(id(route)) or getattr(route, "path_format", None)
        return found if isinstance(found, str) else UNMATCHED

    def exposition(self) -> bytes:
        """Every metric in the text format; summed over all workers in multiprocess mode."""
        registry = self.registry
        if multiprocess_dir() is not None:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            # The pool belongs to this worker: its gauges describe the one that answers.
            registry.register(self.pool)
        return generate_latest(registry)


async def get_metrics(request: Request) -> Response:
    """The Prometheus scrape target."""
    metrics: RequestMetrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def install_metrics(app: FastAPI) -> None:
    """Create the app's metrics (after its engine), observe every request and serve the
    metrics at /metrics."""
    app.state.metrics = RequestMetrics(app, engine=app.state.engine)
    app.state.observers.append(app.state.metrics)
    # An APIRoute rather than add_route(): FastAPI records only those in scope["route"].
    app.add_api_route(METRICS_PATH, get_metrics, methods=["GET"], include_in_schema=False)
