"""Prometheus metrics: request counts and latencies, and the state of the background work.

Off unless ``METRICS_ENABLED``; then ``/metrics`` (portal.views_metrics) serves them. Request
metrics are labelled by the resolved URL name, never the raw path, so the number of series stays
bounded. Under gunicorn with several workers, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory (wiped at each start): each worker then writes its counts there and a scrape of any
worker adds them all up (prometheus_client's multiprocess mode).

The job, queue, PDF and webhook figures are counted at scrape time (``PortalStateCollector``),
from the database and the broker, so every worker reports the same numbers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator

from django.apps import apps
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# The *_created series would double the count of series and tell nothing a restart does not.
disable_created_metrics()

REQUESTS = Counter(
    "portal_http_requests",
    "HTTP requests answered, by URL name, method and status.",
    ["view", "method", "status"],
)
DURATION = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL name.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BROKER_TIMEOUT_SECONDS = 0.5


def view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else "unresolved"


class MetricsMiddleware:
    """Counts each request and times it. Not loaded at all while metrics are off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.METRICS_ENABLED:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        view = view_name(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        DURATION.labels(view=view).observe(elapsed)
        return response


def _counts_by_status(
    app_model: str, choices: Iterable[str], name: str, doc: str
) -> Iterator[Metric]:
    """One gauge per status of ``app_model`` rows (every known status, 0 when none)."""
    try:
        model = apps.get_model(app_model)
    except LookupError:  # the app is not installed
        return
    counts = dict.fromkeys(choices, 0)
    for row in model.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    gauge = GaugeMetricFamily(name, doc, labels=["status"])
    for status, n in counts.items():
        gauge.add_metric([status], n)
    yield gauge


def celery_queue_length() -> int | None:
    """Messages waiting in the broker's ``celery`` list, or None without a reachable Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        with redis.Redis.from_url(
            url,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        ) as client:
            return int(client.llen("celery"))
    except (redis.RedisError, OSError):
        return None


class PortalStateCollector(Collector):
    """Background jobs, PDF renders and webhook deliveries by status, and the broker's queue."""

    def collect(self) -> Iterator[Metric]:
        yield from _counts_by_status(
            "portal.Job",
            ["unsent", "queued", "running", "done", "failed"],
            "portal_jobs",
            "Background jobs by status.",
        )
        yield from _counts_by_status(
            "reports.Report",
            ["queued", "rendering", "ready", "failed"],
            "portal_pdf_renders",
            "PDF renders (report versions) by status.",
        )
        yield from _counts_by_status(
            "integrations.WebhookDelivery",
            ["pending", "delivered", "failed"],
            "portal_webhook_deliveries",
            "Webhook deliveries by status.",
        )
        length = celery_queue_length()
        if length is not None:
            gauge = GaugeMetricFamily(
                "portal_queue_length", "Messages waiting in the broker.", labels=["queue"]
            )
            gauge.add_metric(["celery"], length)
            yield gauge


STATE = CollectorRegistry(auto_describe=False)
STATE.register(PortalStateCollector())


def exposition() -> bytes:
    """Everything, in the Prometheus text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        requests = generate_latest(registry)
    else:
        requests = generate_latest(REGISTRY)
    return requests + generate_latest(STATE)
