"""Point the Celery app at a broker for one test, and run a real worker on it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker
from kombu import pools

from portal.celery import app


def _own_database(url: str) -> str:
    """The suite's Redis database for this test process: the given one for a run in one process,
    one below it per pytest-xdist worker (gw0 on 14 when given 15), so that two workers never
    consume each other's tasks or flush each other's keys."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker.startswith("gw"):
        return url
    base, _, number = url.rpartition("/")
    return f"{base}/{int(number or 0) - 1 - int(worker[2:])}"


REDIS_URL = _own_database(os.environ.get("TEST_CELERY_BROKER_URL", ""))
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _reset_connections() -> None:
    # kombu keeps pools in a registry keyed by connection: empty it, not just the app's cache.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Use ``url`` as the broker (tasks no longer run in-process) until the block ends."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    _reset_connections()
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        _reset_connections()
        app.conf.broker_url, app.conf.task_always_eager = saved


@contextmanager
def real_worker() -> Iterator[None]:
    """A Celery worker consuming from the Redis broker, in a thread of this process."""
    with broker(REDIS_URL):
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(app.conf.task_default_queue)
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
