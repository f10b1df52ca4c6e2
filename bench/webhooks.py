"""Outbound webhooks: :data:`EVENTS` events delivered to a local receiver by Celery workers,
and what raising an event costs a request.

Run ``python bench/webhooks.py`` (with the project's venv) with ``DATABASE_URL`` pointing at
PostgreSQL and a Redis broker (``--broker``, default ``$TEST_CELERY_BROKER_URL``). It

1. makes a scratch database (:data:`SCRATCH_DB`, created, migrated and dropped), 100 accounts,
   a CS admin and one active endpoint subscribed to ``person.joined``, pointing at a receiver
   in this process (a threaded HTTP/1.1 server on 127.0.0.1 that keeps connections alive and
   verifies every request's signature with the ``standardwebhooks`` library);
2. starts :data:`WORKERS` Celery worker processes (``celery -A portal worker --pool=solo``,
   each one task at a time: two processes, not one with concurrency 2) on the broker;
3. records the events as the daily scan does, in batches of 500 (one insert each, then
   :data:`playbooks.events.events_recorded` after the commit): each batch makes its
   deliveries (one insert) and queues the endpoint's delivery job; the workers deliver in
   batches of 100 over kept-alive connections. The time runs from the first batch to the last
   delivery recorded delivered;
4. counts the queries of one request-like write that raises ``person.joined`` (a membership
   created, in a transaction) with an active endpoint, with the playbooks receiver connected
   and disconnected: the difference is what raising the event adds (aim: 1, the job row; the
   webhooks add nothing to the request). Publishing the job after commit is not counted.

Human-readable lines come first; the last line of stdout is one JSON object with ``events``,
``seconds``, ``deliveries_per_s`` and ``request_overhead_queries``. The exit status is 1 when
the run failed (not when an aim is missed: that is in the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dataset import scratch_postgres, setup_django  # noqa: E402
from bench.pages import bench_environment, say  # noqa: E402

EVENTS = 10_000
WORKERS = 2
ACCOUNTS = 100
BATCH = 500
SCRATCH_DB = "portal_webhooks_bench"
AIM_PER_SECOND = 200
AIM_REQUEST_QUERIES = 1
WAIT_SECONDS = 600


class BenchError(Exception):
    """The bench could not do its work."""


# --- The receiver --------------------------------------------------------------------------


class Tally:
    """What the receiver saw, as its process reports it."""

    def __init__(self, stats: dict[str, int] | None = None) -> None:
        stats = stats or {}
        self.requests = stats.get("requests", 0)
        self.unverified = stats.get("unverified", 0)
        self.repeated = stats.get("repeated", 0)


def _serve(secret: str, port: Any, requests: Any, commands: Any) -> None:
    """The receiver's process: a threaded HTTP/1.1 server that verifies every signature."""
    from standardwebhooks import Webhook, WebhookVerificationError

    hook = Webhook(secret)
    lock = threading.Lock()
    ids: set[str] = set()
    stats = {"requests": 0, "unverified": 0, "repeated": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                hook.verify(body, headers, json_parse=False)
                status = 204
            except WebhookVerificationError:
                status = 400
            with lock:
                stats["requests"] += 1
                if status != 204:
                    stats["unverified"] += 1
                msg_id = headers.get("webhook-id", "")
                if msg_id in ids:
                    stats["repeated"] += 1
                ids.add(msg_id)
            with requests.get_lock():
                requests.value += 1
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.value = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while commands.recv() == "stats":
        with lock:
            commands.send(dict(stats))
    server.shutdown()


class LocalReceiver:
    """A receiver in its own process on a free loopback port (so it does not share this
    process's interpreter lock with the bench's polling and recording)."""

    def __init__(self, secret: str) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.port = context.Value("i", 0)
        self.requests = context.Value("i", 0)
        self.commands, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(secret, self.port, self.requests, child), daemon=True
        )
        self.process.start()
        deadline = time.monotonic() + 30
        while not self.port.value:
            if time.monotonic() > deadline:
                raise BenchError("the receiver did not start")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port.value}/hook"

    def tally(self) -> Tally:
        self.commands.send("stats")
        return Tally(self.commands.recv())

    def stop(self) -> None:
        self.commands.send("stop")
        self.process.join(10)


# --- Workers -------------------------------------------------------------------------------


@contextmanager
def workers(count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` worker processes on the broker in ``CELERY_BROKER_URL``, stopped at the end."""
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    started = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "--quiet",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"webhooks-bench-{index}@%h",
            ],
            cwd=ROOT,
            env=dict(os.environ),
        )
        for index in range(count)
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            replies = app.control.ping(timeout=1.0) or []
            if len(replies) >= count:
                break
            if time.monotonic() > deadline:
                raise BenchError(f"{len(replies)} of {count} workers answered within 60 s")
        yield started
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


# --- Counting queries ----------------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.queries = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)


def request_overhead(account_id: int, admin_id: int) -> dict[str, int]:
    """Queries of a membership created in a transaction (a person joining raises
    ``person.joined``), with the playbooks receiver disconnected, then connected."""
    from django.db import connection, transaction
    from django.db.models.signals import post_save

    from accounts.models import Membership, User

    def join(n: int) -> int:
        user = User.objects.create_user(f"joiner-{n}@bench.example", password=None, name="Joiner")
        counter = QueryCounter()
        with transaction.atomic(), connection.execute_wrapper(counter):
            Membership.objects.create(user=user, account_id=account_id, role="member")
        return counter.queries

    uid = "playbooks.membership_created"
    receiver = next(r for r in post_save.receivers if r[0][0] == uid)
    post_save.receivers.remove(receiver)
    post_save.sender_receivers_cache.clear()
    try:
        without = join(1)
    finally:
        post_save.receivers.append(receiver)
        post_save.sender_receivers_cache.clear()
    return {"without": without, "with": join(2)}


# --- The run -------------------------------------------------------------------------------


def setup_world() -> tuple[list[int], int, Any]:
    """Accounts, a CS admin and the endpoint (its URL set once the receiver listens)."""
    from django.db import transaction

    from accounts.models import Account, User, VendorRole
    from integrations.models import WebhookEndpoint

    with transaction.atomic():
        admin = User(email="admin@webhooks.bench.example", name="Bench admin")
        admin.vendor_role = VendorRole.ADMIN
        admin.set_unusable_password()
        admin.save()
        accounts = Account.objects.bulk_create(
            [Account(name=f"Bench {i:03d}", slug=f"wh-{i:03d}") for i in range(ACCOUNTS)]
        )
        endpoint = WebhookEndpoint.objects.create(
            url="http://127.0.0.1:9/", event_types=["person.joined"], created_by=admin
        )
    return [a.pk for a in accounts], admin.pk, endpoint


def record_events(account_ids: list[int], events: int) -> None:
    """``events`` person.joined events, recorded and announced in batches as the scan does."""
    from django.db import transaction
    from django.utils import timezone

    from playbooks.events import announce_recorded
    from playbooks.models import Event, EventKind

    for start in range(0, events, BATCH):
        with transaction.atomic():
            now = timezone.now()
            rows = Event.objects.bulk_create(
                [
                    Event(
                        account_id=account_ids[i % len(account_ids)],
                        kind=EventKind.PERSON_JOINED,
                        source=f"bench:{i}",
                        data={"user_id": i, "role": "member"},
                        occurred_at=now,
                        recorded_at=now,
                    )
                    for i in range(start, min(start + BATCH, events))
                ]
            )
            announce_recorded(rows)


def wait_for_deliveries(events: int, receiver: LocalReceiver) -> float:
    """Seconds until every delivery is recorded delivered (polled every 0.1 s)."""
    from integrations.models import DeliveryStatus, WebhookDelivery

    deadline = time.monotonic() + WAIT_SECONDS
    last_said = time.monotonic()
    while True:
        delivered = WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
        if delivered >= events:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise BenchError(f"{delivered} of {events} delivered after {WAIT_SECONDS} s")
        if time.monotonic() - last_said > 5:
            say(f"  {delivered:,} delivered ({receiver.requests.value:,} requests received)")
            last_said = time.monotonic()
        time.sleep(0.1)


def measure(events: int, worker_count: int) -> dict[str, Any]:
    from django.db import connection

    from integrations.models import WebhookAttempt, WebhookEndpoint
    from portal.models import Job

    account_ids, admin_id, endpoint = setup_world()
    overhead = request_overhead(account_ids[0], admin_id)
    say(
        f"A membership created: {overhead['without']} queries without the event, "
        f"{overhead['with']} with it (an endpoint subscribed)"
    )
    receiver = LocalReceiver(endpoint.secret)
    try:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
        say(f"Receiver {receiver.url} (its own process); {ACCOUNTS} accounts")
        say(f"Starting {worker_count} worker processes (pool solo) ...")
        with workers(worker_count):
            say(f"Recording {events:,} events in batches of {BATCH} ...")
            started = time.monotonic()
            record_events(account_ids, events)
            recorded = time.monotonic()
            finished = wait_for_deliveries(events, receiver)
        tally = receiver.tally()
    finally:
        receiver.stop()
    seconds = finished - started
    jobs = Job.objects.filter(task="integrations.deliver_webhooks")
    result: dict[str, Any] = {
        "events": events,
        "seconds": round(seconds, 2),
        "deliveries_per_s": round(events / seconds, 1),
        "request_overhead_queries": overhead["with"] - overhead["without"],
        "recording_seconds": round(recorded - started, 2),
        "workers": worker_count,
        "worker_pool": "solo (one process per worker, one task at a time)",
        "database": connection.vendor,
        "delivery_jobs": jobs.count(),
        "delivery_jobs_failed": jobs.filter(status=Job.Status.FAILED).count(),
        "attempts": WebhookAttempt.objects.count(),
        "receiver_requests": tally.requests,
        "receiver_unverified": tally.unverified,
        "receiver_repeated_ids": tally.repeated,
    }
    result["meets_aim_per_second"] = result["deliveries_per_s"] >= AIM_PER_SECOND
    result["meets_aim_request_queries"] = result["request_overhead_queries"] <= AIM_REQUEST_QUERIES
    say(
        f"{events:,} events delivered in {seconds:.1f} s: {result['deliveries_per_s']}/s "
        f"with {worker_count} workers ({result['delivery_jobs']} delivery jobs, "
        f"{result['receiver_requests']:,} requests, {result['receiver_unverified']} unverified)"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--broker", default=os.environ.get("TEST_CELERY_BROKER_URL", ""))
    parser.add_argument("--scratch-db", default=SCRATCH_DB)
    args = parser.parse_args(argv)
    started = time.monotonic()

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    result: dict[str, Any] = {}
    database_url = os.environ.get("DATABASE_URL", "")
    try:
        if not database_url.startswith(("postgres://", "postgresql://")):
            raise BenchError("DATABASE_URL must point at PostgreSQL (workers share it)")
        if not args.broker.startswith("redis://"):
            raise BenchError("--broker (or TEST_CELERY_BROKER_URL) must be a Redis URL")
        var_dir = Path(tempfile.mkdtemp(prefix="portal-webhooks-"))
        env = bench_environment(var_dir)
        os.environ.clear()
        os.environ.update(env)
        os.environ["CELERY_BROKER_URL"] = args.broker
        os.environ["OUTBOUND_ALLOW_PRIVATE"] = "true"  # the receiver is on loopback
        try:
            with scratch_postgres(database_url, args.scratch_db) as scratch_url:
                os.environ["DATABASE_URL"] = scratch_url
                say(f"Scratch database {args.scratch_db} (created now, dropped at the end)")
                setup_django()
                result = measure(args.events, args.workers)
                result["scratch_database"] = args.scratch_db
        finally:
            if "django.db" in sys.modules:
                sys.modules["django.db"].connections.close_all()
            shutil.rmtree(var_dir, ignore_errors=True)
        say(
            f"Aims: {AIM_PER_SECOND} deliveries/s: "
            f"{'met' if result['meets_aim_per_second'] else 'MISSED'}; at most "
            f"{AIM_REQUEST_QUERIES} extra query in the request: "
            f"{'met' if result['meets_aim_request_queries'] else 'MISSED'}"
        )
        result["ok"] = True
    except Exception as error:
        traceback.print_exc()
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    result["total_seconds"] = round(time.monotonic() - started, 1)
    say(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
