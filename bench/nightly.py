"""The nightly usage roll-up and health scores over many accounts, on 1, 2 and 4 Celery workers.

Run ``python bench/nightly.py`` (with the project's venv) with ``DATABASE_URL`` pointing at a
PostgreSQL server and ``CELERY_BROKER_URL`` (or ``TEST_CELERY_BROKER_URL``) at a Redis database
the bench may empty. It

1. with ``--data large`` (the default ``auto`` takes it once ``bench/largedata.py`` has built
   its 10,000 accounts on that server): opens the large data's own database (kept, and built
   first when it is not there); otherwise (``--data own``) creates a scratch database
   (:data:`SCRATCH_DB`, dropped at the end), migrates it and fills it with ``--accounts``
   accounts (10,000 by default) with :data:`USERS` product users each, ``--days`` days of
   usage events by COPY (each user active on about two days in three, on one or two features),
   licensed seats for half the accounts; out of the timed part;
3. for each worker count in ``--workers`` (1, 2, 4): starts that many real worker processes
   (``celery -A portal worker --concurrency=1``, prefork, each one process doing the work, as
   on separate machines), empties the queue and the night's rows (roll-ups of the days it
   rolls up, health scores of the day, earlier runs and jobs), starts the coordinator
   (:func:`insights.services.nightly.start_nightly_run`, in this process, publishing to Redis)
   and times it from the call until the run records ``finished_at``; then waits until the
   queue is drained (the playbooks' job per health score saved, which the chunks enqueue,
   included) and stops the workers (SIGTERM, by pid);
4. checks every chunk is done and every account rolled up.

The aim: at most :data:`AIM_SECONDS` with 2 workers and a speed-up of at least
:data:`AIM_SPEEDUP` from 1 to 2. Speed-up is bounded by the machine: workers, PostgreSQL and
Redis share its CPUs (``cpus`` in the JSON).

Human-readable lines come first; the last line of stdout is one JSON object: per worker count
the seconds, accounts a second and the speed-up over one worker. The exit status is 1 when the
run failed (not when an aim is missed: that is in the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dataset import scratch_postgres  # noqa: E402
from bench.pages import bench_environment, say  # noqa: E402

ACCOUNTS = 10_000
WORKERS = [1, 2, 4]
USERS = 25  # product users an account
DAYS = 35  # days of usage: the 30-day window of the earliest day rolled up, and a few more
FEATURES = ["reports", "exports", "alerts", "dashboards", "api", "sharing"]
CSMS = 50
AIM_SECONDS = 600
AIM_SPEEDUP = 1.7
SCRATCH_DB = "portal_nightly_bench"
SLUG_PREFIX = "nb"
BATCH = 5_000
SEED = 20_261_206
WAIT_SECONDS = 3_600  # for one run to finish; a bench that waits longer has failed
DRAIN_SECONDS = 1_800


class BenchError(Exception):
    """The bench could not do its work."""


# --- The data ------------------------------------------------------------------------------


def build_own(accounts: int, days: int, today: date) -> dict[str, int]:
    """``accounts`` accounts, their product users and ``days`` days of usage events up to
    ``today`` (COPY), and licensed seats for every other account; how many rows of each."""
    from django.db import connection, transaction

    from accounts.models import Account, Segment, Stage, User, VendorRole
    from insights.models import AccountFacts, ProductUser, UsageEvent

    rng = random.Random(SEED)
    with transaction.atomic():
        csms = []
        for n in range(CSMS):
            csm = User(email=f"csm-{n:02d}@nightly.bench.example", name=f"Bench CSM {n:02d}")
            csm.vendor_role = VendorRole.CSM
            csm.set_unusable_password()
            csms.append(csm)
        csms = User.objects.bulk_create(csms, batch_size=BATCH)
        made = Account.objects.bulk_create(
            [
                Account(
                    name=f"Nightly Account {i:05d}",
                    slug=f"{SLUG_PREFIX}-{i:05d}",
                    owner=csms[i % CSMS],
                    segment=list(Segment)[i % len(Segment)],
                    stage=list(Stage)[i % len(Stage)],
                    renewal_date=today + timedelta(days=(i * 7_919) % 400),
                )
                for i in range(accounts)
            ],
            batch_size=BATCH,
        )
        ids = [a.pk for a in made]
        ProductUser.objects.bulk_create(
            [
                ProductUser(
                    account_id=pk, external_id=f"u{u}", email=f"u{u}@a{i}.example", name=f"U {u}"
                )
                for i, pk in enumerate(ids)
                for u in range(USERS)
            ],
            batch_size=BATCH,
        )
        AccountFacts.objects.bulk_create(
            [AccountFacts(account_id=pk, licensed_seats=USERS + 5) for pk in ids[::2]],
            batch_size=BATCH,
        )
        table = connection.ops.quote_name(UsageEvent._meta.db_table)
        events = 0
        with connection.cursor() as cursor:
            sql = f"COPY {table} (account_id, user_key, day, feature, count) FROM STDIN"
            with cursor.copy(sql) as copy:
                for pk in ids:
                    # Some accounts are busier than others; a few have gone quiet.
                    active = rng.randint(0, USERS)
                    for offset in range(days):
                        day = today - timedelta(days=offset)
                        for u in range(active):
                            if rng.random() < 0.34:
                                continue
                            for feature in rng.sample(FEATURES, rng.randint(1, 2)):
                                copy.write_row((pk, f"u{u}", day, feature, rng.randint(1, 20)))
                                events += 1
        cursor_analyze(table)
    return {
        "accounts": len(ids),
        "product_users": len(ids) * USERS,
        "usage_events": events,
        "usage_days": days,
    }


def cursor_analyze(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


def build_large() -> dict[str, int]:
    """The large data (bench/largedata.py, 10,000 accounts): built on the first run, then kept
    in its own database and reused."""
    from bench.largedata import build

    return {str(label): int(n) for label, n in build().get("rows", {}).items()}


def large_database(url: str) -> str:
    from bench.largedata import database_url

    return database_url(url)


def large_data_built(url: str) -> bool:
    """Whether bench/largedata.py has built its data on this server (its marker row)."""
    import psycopg

    from bench.largedata import LARGE_DB, MARKER_TABLE, database_url

    try:
        with psycopg.connect(
            database_url(url, LARGE_DB).replace("postgres://", "postgresql://", 1)
        ) as conn:
            query = f"SELECT 1 FROM {MARKER_TABLE} WHERE name = 'large'"  # noqa: S608
            return bool(conn.execute(query).fetchone())
    except psycopg.Error:
        return False


def counts() -> dict[str, int]:
    from accounts.models import Account
    from insights.models import ProductUser, UsageEvent

    return {
        "accounts": Account.objects.count(),
        "product_users": ProductUser.objects.count(),
        "usage_events": UsageEvent.objects.count(),
    }


# --- The workers ---------------------------------------------------------------------------


@contextmanager
def workers(count: int, env: dict[str, str], logs: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` worker processes (prefork, one child each), stopped by pid on the way out."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for n in range(count):
            log = (logs / f"worker-{count}-{n}.log").open("wb")
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "portal",
                        "worker",
                        "--concurrency=1",
                        "--pool=prefork",
                        "--loglevel=WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        f"--hostname=nightly-bench-{n}@%h",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        wait_for_workers(count, procs)
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_for_workers(count: int, procs: list[subprocess.Popen[bytes]]) -> None:
    from portal.celery import app

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise BenchError("a worker exited at start (see its log)")
        replies = app.control.ping(timeout=1.0) or []
        names = {name for reply in replies for name in reply}
        if len([n for n in names if n.startswith("nightly-bench-")]) >= count:
            return
    raise BenchError(f"{count} workers did not answer a ping in 90 s")


def purge_queue() -> None:
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


# --- One measured night --------------------------------------------------------------------


def reset_night(day: date) -> None:
    """Remove what a night writes, so that every measured run does the same work."""
    from insights.models import FeatureUsageDay, HealthScore, NightlyRun, UsageDay
    from insights.services.nightly import NIGHTLY_ROLL_UP_DAYS
    from insights.services.usage import days_back
    from portal.models import Job

    rolled = days_back(day, NIGHTLY_ROLL_UP_DAYS)
    UsageDay.objects.filter(day__in=rolled).delete()
    FeatureUsageDay.objects.filter(day__in=rolled).delete()
    HealthScore.objects.filter(day=day).delete()
    NightlyRun.objects.all().delete()
    Job.objects.all().delete()
    purge_queue()


def poll(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise BenchError(f"timed out waiting for {what}")


def one_night(day: date, chunk_size: int, drain: bool = True) -> dict[str, Any]:
    """Start the coordinator and wait for the run to finish, then for the queue to drain."""
    from django.db import transaction
    from django.utils import timezone

    from insights.models import HealthScore, NightlyChunk, NightlyRun, UsageDay
    from insights.services.nightly import start_nightly_run
    from portal.models import Job

    started = timezone.now()
    with transaction.atomic():
        run = start_nightly_run(day, chunk_size)
    poll(
        lambda: NightlyRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists(),
        WAIT_SECONDS,
        "the run to finish",
    )
    run.refresh_from_db()
    assert run.finished_at is not None
    seconds = (run.finished_at - started).total_seconds()
    drained = None
    if drain:
        poll(
            lambda: (
                not Job.objects.exclude(status__in=[Job.Status.DONE, Job.Status.FAILED]).exists()
            ),
            DRAIN_SECONDS,
            "the queue to drain",
        )
        last = Job.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
        drained = round(((last or timezone.now()) - started).total_seconds(), 2)
    chunks = run.chunks.values_list("status", flat=True)
    failed = [s for s in chunks if s != NightlyChunk.Status.DONE]
    if failed:
        raise BenchError(f"{len(failed)} chunks not done: see their errors in the run")
    return {
        "seconds": round(seconds, 2),
        "drained_seconds": drained,
        "chunks": run.chunk_count,
        "accounts": run.account_count,
        "rolled_up": UsageDay.objects.filter(day=day).count(),
        "scored": HealthScore.objects.filter(day=day).count(),
        "jobs": Job.objects.count(),
        "retried_chunks": run.chunks.filter(attempts__gt=1).count(),
    }


# --- The whole bench -----------------------------------------------------------------------


def summarize(nights: dict[int, dict[str, Any]], accounts: int) -> dict[str, Any]:
    """Per worker count: seconds, accounts a second, speed-up over one worker; the aims."""
    one = nights.get(1, {}).get("seconds")
    per: dict[str, Any] = {}
    for count, night in sorted(nights.items()):
        seconds = night["seconds"]
        per[str(count)] = {
            **night,
            "accounts_per_second": round(accounts / seconds, 1) if seconds else None,
            "speedup": round(one / seconds, 2) if one and seconds else None,
        }
    two = per.get("2", {})
    return {
        "workers": per,
        "aim_seconds_2_workers": AIM_SECONDS,
        "aim_speedup_2_workers": AIM_SPEEDUP,
        # None: not measured (no run with 2 workers, or none with 1 to compare with).
        "meets_aim_seconds": None if two.get("seconds") is None else two["seconds"] <= AIM_SECONDS,
        "meets_aim_speedup": None if two.get("speedup") is None else two["speedup"] >= AIM_SPEEDUP,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--days", type=int, default=DAYS, help="days of usage (own data)")
    parser.add_argument("--workers", default=",".join(map(str, WORKERS)))
    parser.add_argument("--chunk-size", type=int, default=200)
    parser.add_argument("--data", choices=["auto", "own", "large"], default="auto")
    parser.add_argument(
        "--no-drain",
        action="store_true",
        help="do not wait for the jobs the run enqueues (the playbooks' one per score)",
    )
    args = parser.parse_args(argv)
    worker_counts = [int(n) for n in args.workers.split(",") if n.strip()]

    url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("TEST_CELERY_BROKER_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must point at PostgreSQL (the workers share it)")
    if not broker.startswith("redis://"):
        raise SystemExit("CELERY_BROKER_URL (or TEST_CELERY_BROKER_URL) must point at Redis")
    # A bench stopped by a signal still stops its workers and drops its database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    data = args.data
    if data == "auto":  # the large data when it is built already, else a quick data set of its own
        data = "large" if large_data_built(url) else "own"

    result: dict[str, Any] = {
        "bench": "nightly",
        "database": "postgresql",
        "broker": "redis",
        "chunk_size": args.chunk_size,
        "cpus": os.cpu_count(),
        # Other work on the machine at the start (1, 5 and 15 minutes): the workers share it.
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "worker_mode": "N celery worker processes, --concurrency=1 each (prefork)",
        "data": data,
    }
    failed = False
    with (
        tempfile.TemporaryDirectory(prefix="nightly-bench-") as tmp,
        (
            nullcontext(large_database(url))
            if data == "large"
            else scratch_postgres(url, SCRATCH_DB)
        ) as scratch,
    ):
        env = bench_environment(Path(tmp))
        env.update(
            {
                "DATABASE_URL": scratch,
                "CELERY_BROKER_URL": broker,
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "NIGHTLY_CHUNK_SIZE": str(args.chunk_size),
            }
        )
        os.environ.update(env)
        try:
            if data == "large":  # the large data's own database, built once and kept
                from bench.largedata import open_database

                open_database(scratch)
            else:
                import django
                from django.core.management import call_command

                django.setup()
                call_command("migrate", interactive=False, verbosity=0)
            from django.utils import timezone

            today = timezone.localdate()
            say(f"Building the data ({data}) for {args.accounts:,} accounts…")
            t0 = time.monotonic()
            made = build_large() if data == "large" else {}
            if data == "own":
                made = build_own(args.accounts, args.days, today)
            result["data_sizes"] = {**made, **counts()}
            result["build_seconds"] = round(time.monotonic() - t0, 1)
            say(f"  {result['data_sizes']} in {result['build_seconds']} s")
            accounts = result["data_sizes"]["accounts"]
            logs = Path(tmp)
            nights: dict[int, dict[str, Any]] = {}
            for count in worker_counts:
                reset_night(today)
                with workers(count, env, logs):
                    say(f"{count} worker{'s' if count > 1 else ''}: running the night…")
                    night = one_night(today, args.chunk_size, drain=not args.no_drain)
                nights[count] = night
                say(
                    f"  finished in {night['seconds']:.1f} s ({accounts / night['seconds']:.0f} "
                    f"accounts/s), queue drained in {night['drained_seconds'] or '-'} s; "
                    f"{night['chunks']} chunks, {night['scored']:,} scored"
                )
            result.update(summarize(nights, accounts))
        except Exception as exc:
            traceback.print_exc()
            result["error"] = f"{type(exc).__name__}: {exc}"
            failed = True
        finally:
            from django.db import connections

            connections.close_all()
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["finished_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    print(json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
