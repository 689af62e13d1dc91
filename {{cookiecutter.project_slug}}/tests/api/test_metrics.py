"""/metrics: request counts and latencies by route template, requests in flight, the pool."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx2
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

ITEM_TEMPLATE = "/api/v1/items/{item_id}"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx2.AsyncClient) -> Samples:
    """Every sample /metrics reports, keyed by name and labels."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    return parse(response.text)


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def changed(before: Samples, after: Samples, name: str) -> dict[frozenset, float]:
    """The increase of every `name` series between two scrapes, for series that moved."""
    return {
        labels: value - before.get((sample, labels), 0.0)
        for (sample, labels), value in after.items()
        if sample == name and value != before.get((sample, labels), 0.0)
    }


async def test_metrics_are_prometheus_text(client: httpx2.AsyncClient):
    """/metrics answers the Prometheus text format with the request counter and histogram."""
    await client.get("/health/live")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE http_requests_total counter" in response.text
    assert "# TYPE http_request_duration_seconds histogram" in response.text
    assert 'route="/health/live"' in response.text


async def test_requests_are_labelled_by_route_template(client: httpx2.AsyncClient):
    """Two item ids make one series labelled with the route template, never the raw path."""
    before = await scrape(client)

    await client.get("/api/v1/items/101")
    await client.get("/api/v1/items/202")
    after = await scrape(client)

    counts = changed(before, after, "http_requests_total")
    routes = {dict(labels)["route"] for labels in counts}
    # The first scrape finished after its own snapshot, so /metrics moved too.
    assert routes == {ITEM_TEMPLATE, "/metrics"}
    assert sum(n for labels, n in counts.items() if dict(labels)["route"] == ITEM_TEMPLATE) == 2
    durations = changed(before, after, "http_request_duration_seconds_count")
    assert sum(n for labels, n in durations.items() if ("route", ITEM_TEMPLATE) in labels) == 2


async def test_unmatched_path_is_labelled_unmatched(client: httpx2.AsyncClient):
    """A 404 for a path no route matches is counted under route="<unmatched>"."""
    before = await scrape(client)

    response = await client.get("/no/such/page/42")
    after = await scrape(client)

    assert response.status_code == 404
    counts = changed(before, after, "http_requests_total")
    unmatched = frozenset({("method", "GET"), ("route", "<unmatched>"), ("status", "404")})
    assert counts[unmatched] == 1
    assert not any("/no/such" in dict(labels)["route"] for labels in counts)


async def test_docs_page_is_labelled_by_its_path(client: httpx2.AsyncClient):
    """The docs page, a plain Starlette route, is labelled by its path rather than unmatched."""
    before = await scrape(client)

    response = await client.get("/docs")
    after = await scrape(client)

    assert response.status_code == 200
    counts = changed(before, after, "http_requests_total")
    assert counts[frozenset({("method", "GET"), ("route", "/docs"), ("status", "200")})] == 1


async def test_unknown_method_is_counted_as_other(client: httpx2.AsyncClient):
    """A method outside the standard ones is labelled OTHER, so clients cannot add series."""
    before = await scrape(client)

    await client.request("BREW", "/health/live")
    after = await scrape(client)

    counts = changed(before, after, "http_requests_total")
    assert {dict(labels)["method"] for labels in counts} == {"OTHER", "GET"}
    assert not any(dict(labels)["method"] == "BREW" for labels in counts)


async def test_in_progress_gauge_counts_the_scrape(client: httpx2.AsyncClient):
    """The in-flight gauge is 1 while the scrape that reads it is the only request."""
    samples = await scrape(client)

    assert samples[("http_requests_in_progress", frozenset())] == 1


async def test_pool_gauges_read_the_pool_at_scrape_time(app: FastAPI, client: httpx2.AsyncClient):
    """The pool gauges are present, and a connection held open shows as checked out."""
    idle = await scrape(client)
    async with app.state.engine.connect():
        busy = await scrape(client)

    for name in ("db_pool_size", "db_pool_checked_in", "db_pool_overflow"):
        assert (name, frozenset()) in busy
    assert busy[("db_pool_size", frozenset())] >= 1
    checked_out = ("db_pool_checked_out", frozenset[tuple[str, str]]())
    assert busy[checked_out] == idle[checked_out] + 1


def test_multiprocess_mode_reports_every_worker(tmp_path: Path, settings):
    """With PROMETHEUS_MULTIPROC_DIR, /metrics sums the requests of every process."""
    program = textwrap.dedent(
        """
        import asyncio, os, sys, time
        import httpx2
        from {{ cookiecutter.package_name }}.core.config import Settings
        from {{ cookiecutter.package_name }}.main import create_app

        async def main(settings_json, role, done):
            app = create_app(Settings.model_validate_json(settings_json))
            deadline = time.monotonic() + 60
            while role == "second" and not os.path.exists(done):
                if time.monotonic() > deadline:
                    sys.exit("the first worker never finished")
                await asyncio.sleep(0.02)
            transport = httpx2.ASGITransport(app=app)
            async with httpx2.AsyncClient(transport=transport, base_url="http://w") as client:
                await client.get("/health/live")
                print((await client.get("/metrics")).text)
            await app.state.engine.dispose()
            if role == "first":
                open(done, "w").close()

        asyncio.run(main(*sys.argv[1:]))
        """
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    (tmp_path / "metrics").mkdir()
    done = str(tmp_path / "first-done")
    # Both start at once (importing the app is most of their time); the second waits for the
    # first to finish before its own request, so its scrape must count both.
    workers = [
        subprocess.Popen(  # noqa: S603 - this interpreter, a fixed program
            [sys.executable, "-c", program, settings.model_dump_json(), role, done],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in ("first", "second")
    ]
    outputs = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=90)
        assert worker.returncode == 0, stderr
        outputs.append(stdout)

    live = frozenset({("method", "GET"), ("route", "/health/live"), ("status", "200")})
    # The second process sees its own request and the first one's, read from the shared folder.
    assert parse(outputs[0])[("http_requests_total", live)] == 1
    assert parse(outputs[1])[("http_requests_total", live)] == 2
