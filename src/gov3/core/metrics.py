"""Prometheus metrics: what gov3 counts and times, and the middleware that times requests.

The metric objects are module-level, so any app (and the task queue) increments them directly::

    from gov3.core import metrics
    metrics.count_on_commit(metrics.DOCUMENTS_ISSUED, type="passport")

A count of something written goes up only when the write commits (`count_on_commit`), never for
a transaction that rolls back. Requests are labelled by the URL pattern's name (`portal:me`,
`api_v1:get_offer`), never by the raw path: ids in paths would make one series per id.

Under `gov3 serve` each gunicorn worker is its own process: prometheus_client's multiprocess
mode (PROMETHEUS_MULTIPROC_DIR, set by `gov3 serve`) keeps each process's values in files that
`/metrics` adds up. `gov3 serve` also names the directory for the background worker, so that
the worker's counters are in the same sums (docs/operations.md, ADR 0035).

Hooks for background work (filled in by `gov3.tasks`): `TASK_QUEUE_DEPTH`, `TASK_OLDEST_AGE`,
`TASKS_FAILED`, `TASKS_PARKED`, `SWEEP_PROGRESS`, `SWEEP_PEOPLE`; and `register_scrape_hook(fn)`
for values read from elsewhere (a queue's length) just before `/metrics` answers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

#: The environment variable prometheus_client reads for its multiprocess directory.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Requests ------------------------------------------------------------------------------------

#: Seconds per request, by view (URL pattern name) and method. Buckets from 5 ms to 10 s: the
#: targets are p99 <= 100 ms (inbox) and <= 300 ms (mixed journeys).
REQUEST_LATENCY = Histogram(
    "gov3_http_request_duration_seconds",
    "Time to answer a request, by view (URL pattern name) and method.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0),
)
#: Requests answered, by view, method and status code.
REQUESTS = Counter(
    "gov3_http_requests_total",
    "Requests answered, by view (URL pattern name), method and status code.",
    ["view", "method", "status"],
)

# The flow: offers and documents ---------------------------------------------------------------

#: Offers written (committed), by what triggered them (life_event, sweep, rule_change, ...).
OFFERS_MADE = Counter(
    "gov3_offers_made_total", "Offers written (committed), by trigger.", ["trigger"]
)
#: Offers confirmed by their recipients (committed).
OFFERS_CONFIRMED = Counter("gov3_offers_confirmed_total", "Offers confirmed (committed).")
#: Documents issued (committed), by document type (passport, resident_registration, ...).
DOCUMENTS_ISSUED = Counter(
    "gov3_documents_issued_total", "Documents issued (committed), by type.", ["type"]
)

# Background work: hooks for the task queue (gov3.tasks) ---------------------------------------

#: Tasks waiting in a queue (set by the queue's scrape hook or the worker).
TASK_QUEUE_DEPTH = Gauge(
    "gov3_task_queue_depth",
    "Tasks waiting, by queue.",
    ["queue"],
    multiprocess_mode="livemostrecent",
)
#: Age in seconds of the oldest waiting task, by queue.
TASK_OLDEST_AGE = Gauge(
    "gov3_task_oldest_age_seconds",
    "Age of the oldest waiting task, by queue.",
    ["queue"],
    multiprocess_mode="livemostrecent",
)
#: Task runs that raised (each retry counts), by task name.
TASKS_FAILED = Counter(
    "gov3_task_failures_total", "Task runs that failed (each retry counts), by task.", ["task"]
)
#: Tasks that kept failing and are parked for an operator, by task name.
TASKS_PARKED = Gauge(
    "gov3_tasks_parked",
    "Tasks parked after their last retry, waiting for an operator, by task.",
    ["task"],
    multiprocess_mode="livemostrecent",
)
#: How far the running sweep is, from 0 to 1, by service.
SWEEP_PROGRESS = Gauge(
    "gov3_sweep_progress_ratio",
    "Share of the population the running sweep has evaluated, by service.",
    ["service"],
    multiprocess_mode="livemostrecent",
)
#: People evaluated by sweeps.
SWEEP_PEOPLE = Counter("gov3_sweep_people_evaluated_total", "People evaluated by sweeps.")


def count_on_commit(counter: Counter, amount: float = 1, **labels: str) -> None:
    """Add `amount` to `counter` (with `labels`) when the current transaction commits; at once
    outside a transaction. Nothing is counted for a write that rolls back."""
    if amount <= 0:
        return
    child = counter.labels(**labels) if labels else counter

    def increment() -> None:
        child.inc(amount)

    transaction.on_commit(increment)


_scrape_hooks: dict[str, Callable[[], None]] = {}


def register_scrape_hook(name: str, hook: Callable[[], None]) -> None:
    """Call `hook` just before each `/metrics` answer (set a gauge from a queue's length, say).
    A hook that raises is skipped for that scrape; registering a name again replaces it."""
    _scrape_hooks[name] = hook


def render() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format and its content type: the sums over every
    process's files in multiprocess mode, else this process's own."""
    for hook in list(_scrape_hooks.values()):
        try:
            hook()
        except Exception:  # noqa: S112 - one broken source must not hide the rest
            continue
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def view_name(request: HttpRequest) -> str:
    """The label of the request's view: its URL pattern's name (namespaced), else its route,
    else "static" for static files, else "unmatched" (404s for unknown paths are one series, not
    one per path)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "static" if request.path.startswith(settings.STATIC_URL) else "unmatched"
    if match.view_name:
        return str(match.view_name)
    return str(match.route or "unnamed")


class MetricsMiddleware:
    """Times each request and counts it by view, method and status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        view = view_name(request)
        method = request.method if request.method in _METHODS else "other"
        REQUEST_LATENCY.labels(view=view, method=method).observe(elapsed)
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
