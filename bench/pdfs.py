"""What a PDF costs: the Wrapped and a business review, and 100 accounts' Wrapped on 2 workers.

Run ``python bench/pdfs.py`` (with the project's venv). Like the other benches it never touches
``var/``: it makes a temporary ``PORTAL_VAR_DIR`` (SQLite, media), migrates it, loads the demo
data, and then

1. writes a business review of acme's last full quarter, with a few paragraphs of narrative;
2. for acme's Wrapped (this year) and for that review, after one warm-up, :data:`REPEAT` times
   in turn: (a) the whole generation, what the render task does from the account (gather the
   figures, fill the HTML template, WeasyPrint), and (b) WeasyPrint alone on HTML filled once
   (``reports.rendering.render_pdf``). Medians: seconds per PDF and per page, and the ratio
   (a)/(b) (aims from the issue: at most :data:`AIM_RATIO`, and at most
   :data:`AIM_SECONDS_PER_PAGE` s per page);
3. the peak memory of a rendering process: a fresh process (spawned) sets Django up, makes the
   document :data:`PEAK_RUNS` times, and reports its peak resident size (``VmHWM``, see
   :func:`peak_rss_kib` for why not ``ru_maxrss``), and that size before the first render;
4. :data:`ACCOUNTS` more accounts, each with acme's 90 days of usage roll-ups (scaled), and all
   their Wrapped made by :data:`WORKERS` workers in parallel. With Redis answering on
   :data:`REDIS_URL` the workers are real ``celery -A portal worker --pool=solo`` processes on
   an empty Redis database, and the run is the product's own: a CS admin's batch
   (``reports.services.start_batch``) for the SMB segment, which holds only the bench's
   accounts (the demo's SMB account is moved to mid-market first), whose slice job gathers
   the figures and queues one render per account. Otherwise (or with ``--batch pool``) two spawned processes share a
   queue of the accounts and call ``request_wrapped`` for each with eager tasks (gather, store
   the version, render in-process). Both warm their workers up with one Wrapped each first;
   the time runs from the start of the batch to the last PDF stored. PDFs per second.

Human-readable lines come first; the last line of stdout is one JSON object with every figure
(with the machine's load average at the start and the end: WeasyPrint is CPU-bound, so other
work on the 2 cores shows in the figures).
The exit status is 1 when the run failed or a PDF could not be made (a missed aim is only
reported, in the JSON).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.loadgen import run_in_var_dir  # noqa: E402
from bench.pages import bench_environment, say, tail  # noqa: E402

REPEAT = 7  # measured runs per document, after one warm-up
PEAK_RUNS = 3  # documents made by the process whose peak memory is read
ACCOUNTS = 100
WORKERS = 2  # this machine has 2 cores
AIM_RATIO = 1.3  # whole generation / WeasyPrint alone on the filled HTML (the issue)
AIM_SECONDS_PER_PAGE = 0.2
ACCOUNT = "acme"
SLUG_PREFIX = "pdfbench"
REDIS_URL = "redis://127.0.0.1:6379"
# Redis databases the bench may use, the first one found empty (the test suite uses 15).
REDIS_DBS = (12, 13, 14, 11, 10)
BATCH_TIMEOUT = 300.0  # seconds

SUMMARY = """\
This quarter Acme moved its month-end reporting out of spreadsheets and into the portal. The \
finance team now closes the books with the scheduled exports, and the first board pack of the \
year came straight out of the dashboards rather than from a slide deck assembled by hand.

Active users grew in every month of the quarter, most of all in September, when the \
operations leads were invited and started to follow the shipment dashboards daily. The weekly \
active share of licensed seats went from a little over half to three quarters.

The two data sources that were still pending at the start of the quarter (the warehouse \
system and the carrier feed) are connected, and the numbers reconcile with the ERP within the \
tolerance the controller set. That was the main condition for the renewal conversation."""

RISKS = """\
The training for the finance team slipped by three weeks: two report owners are still to be \
named, and until they are, the month-end pack depends on one person.

The renewal is in March. Usage is broad in finance and growing in operations, but sales has \
not started yet; the executive sponsor wants to see it before signing for more seats.

The carrier feed drops late deliveries when a carrier sends a shipment twice; a fix is \
promised for the next release, and the numbers are corrected by hand until then."""

RECOMMENDATIONS = """\
Name the two report owners and run the finance training in the first two weeks of the \
quarter, so that the month-end close no longer depends on one person.

Roll the dashboards out to operations in every region, then to sales, with a champion in each \
team; review adoption together at the next business review.

Agree on the success criteria for the renewal by the end of January: active users, the board \
pack, and the time the month-end close takes, each with a target."""


class BenchError(Exception):
    """The bench could not do its work."""


# --- Setting up --------------------------------------------------------------------------------


def quiet_logging() -> None:
    for name in ("weasyprint", "fontTools", "celery", "kombu", "reports", "portal"):
        logging.getLogger(name).setLevel(logging.WARNING)


def setup_django() -> None:
    import django

    django.setup()
    quiet_logging()


def prepare_database() -> None:
    """Migrate the temporary database and load the demo data."""
    from django.core.management import call_command

    setup_django()
    out = StringIO()
    call_command("migrate", interactive=False, verbosity=0, stdout=out)
    call_command("load_demo", stdout=out)
    quiet_logging()


def make_review() -> int:
    """A review of acme's last full quarter, with some narrative; its id."""
    from django.utils import timezone

    from accounts.models import Account
    from reports.models import Review, quarter_of

    account = Account.objects.select_related("owner").get(slug=ACCOUNT)
    if account.owner is None:
        raise BenchError(f"the demo account {ACCOUNT} has no CSM")
    this_start, _ = quarter_of(timezone.localdate())
    start, end = quarter_of(this_start - timedelta(days=1))
    review = Review.objects.create(
        account=account,
        kind=Review.Kind.QBR,
        title=f"Q{(start.month - 1) // 3 + 1} {start.year} business review (bench)",
        period_start=start,
        period_end=end,
        summary=SUMMARY,
        risks=RISKS,
        recommendations=RECOMMENDATIONS,
        created_by=account.owner,
        published_at=timezone.now(),
    )
    return review.pk


# --- One document ------------------------------------------------------------------------------

Doc = tuple[str, Any]  # ("wrapped", year) for acme, or ("review", review id)


def gather(doc: Doc) -> dict[str, Any]:
    """The figures, as ``request_wrapped`` / ``request_review`` gather them."""
    from accounts.models import Account
    from reports.figures import review_inputs, wrapped_inputs
    from reports.models import Review

    kind, key = doc
    if kind == "wrapped":
        return wrapped_inputs(Account.objects.select_related("owner").get(slug=ACCOUNT), key)
    return review_inputs(Review.objects.select_related("account__owner").get(pk=key))


def generate(doc: Doc) -> tuple[Any, float, float, float]:
    """The whole generation: (rendered, gather s, fill s, total s)."""
    from reports.rendering import render_html, render_pdf

    started = time.perf_counter()
    inputs = gather(doc)
    gathered = time.perf_counter()
    html = render_html(inputs)
    filled = time.perf_counter()
    rendered = render_pdf(html)
    done = time.perf_counter()
    return rendered, gathered - started, filled - gathered, done - started


def measure(doc: Doc, repeat: int) -> dict[str, Any]:
    """Whole generation against WeasyPrint alone on the filled HTML, taking turns."""
    from reports.rendering import render_html, render_pdf

    generate(doc)  # warm-up: templates compiled, fonts and modules loaded
    html = render_html(gather(doc))
    render_pdf(html)
    whole, alone, gathering, filling = [], [], [], []
    pages: set[int] = set()
    size = 0
    refused: set[str] = set()

    def whole_once() -> None:
        nonlocal size
        rendered, gather_s, fill_s, total_s = generate(doc)
        whole.append(total_s)
        gathering.append(gather_s)
        filling.append(fill_s)
        pages.add(rendered.pages)
        size = len(rendered.pdf)
        refused.update(rendered.refused)

    def alone_once() -> None:
        started = time.perf_counter()
        only = render_pdf(html)
        alone.append(time.perf_counter() - started)
        pages.add(only.pages)

    for run in range(repeat):  # taking turns, each going first every other time
        for step in (whole_once, alone_once) if run % 2 == 0 else (alone_once, whole_once):
            step()
    if len(pages) != 1:
        raise BenchError(f"{doc[0]}: the page count changed between runs: {sorted(pages)}")
    if refused:
        raise BenchError(f"{doc[0]}: the fetcher refused {sorted(refused)}")
    page_count = pages.pop()
    per_pdf, per_alone = statistics.median(whole), statistics.median(alone)
    return {
        "seconds_per_pdf": round(per_pdf, 4),
        "pages": page_count,
        "seconds_per_page": round(per_pdf / page_count, 4),
        "render_alone_seconds": round(per_alone, 4),
        "render_alone_seconds_per_page": round(per_alone / page_count, 4),
        "ratio_to_render_alone": round(per_pdf / per_alone, 3),
        # The same from each side's fastest run: steadier when other work shares the machine.
        "ratio_of_best_runs": round(min(whole) / min(alone), 3),
        "gather_seconds": round(statistics.median(gathering), 4),
        "html_seconds": round(statistics.median(filling), 4),
        "pdf_bytes": size,
        "html_bytes": len(html.encode()),
        "runs_whole": [round(s, 4) for s in whole],
        "runs_alone": [round(s, 4) for s in alone],
    }


def peak_rss_kib() -> int:
    """This process's peak resident size in KiB: ``VmHWM`` where Linux has it, else
    ``ru_maxrss``. On Linux a spawned child's ``ru_maxrss`` starts at its parent's size at the
    fork (the kernel carries the high-water mark over ``exec``), so it would report the bench's
    own size rather than the renderer's; ``VmHWM`` belongs to the child's own memory."""
    found = vm_hwm_kib(os.getpid())
    return found if found is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_memory_child(doc: Doc, runs: int) -> dict[str, float]:
    """In a fresh process: Django set up, the document made ``runs`` times; the peak resident
    size before the first and after the last."""
    setup_django()
    from accounts.models import Account

    Account.objects.exists()  # the database connection open, as in a worker
    before = peak_rss_kib()
    for _ in range(runs):
        generate(doc)
    after = peak_rss_kib()
    return {"before_mib": round(before / 1024, 1), "peak_mib": round(after / 1024, 1)}


def peak_memory(doc: Doc, runs: int) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(peak_memory_child, doc, runs).result(timeout=300)


# --- Many accounts -----------------------------------------------------------------------------


def make_accounts(count: int) -> list[int]:
    """``count`` accounts (SMB, acme's CSM), each with acme's usage roll-ups scaled; ids."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account, Segment, Stage
    from insights.models import Contract, FeatureUsageDay, UsageDay

    acme = Account.objects.get(slug=ACCOUNT)
    days = list(UsageDay.objects.filter(account=acme))
    features = list(FeatureUsageDay.objects.filter(account=acme))
    if not days:
        raise BenchError(f"the demo account {ACCOUNT} has no usage roll-ups")
    with transaction.atomic():
        accounts = Account.objects.bulk_create(
            Account(
                name=f"Bench Account {i:03d}",
                slug=f"{SLUG_PREFIX}-{i:03d}",
                owner_id=acme.owner_id,
                segment=Segment.SMB,
                stage=Stage.ADOPTION,
                brand_color=f"#{(i * 2654435761) % 0xFFFFFF:06x}",
            )
            for i in range(count)
        )
        for i, account in enumerate(accounts):
            scale = 0.5 + (i % 11) / 10  # 0.5 to 1.5

            def scaled(n: int, scale: float = scale) -> int:
                return max(0, round(n * scale))

            UsageDay.objects.bulk_create(
                UsageDay(
                    account=account,
                    day=d.day,
                    active_users=scaled(d.active_users),
                    weekly_active_users=scaled(d.weekly_active_users),
                    monthly_active_users=scaled(d.monthly_active_users),
                    events=scaled(d.events),
                )
                for d in days
            )
            FeatureUsageDay.objects.bulk_create(
                FeatureUsageDay(
                    account=account,
                    day=f.day,
                    feature=f.feature,
                    monthly_users=scaled(f.monthly_users),
                    events=scaled(f.events),
                )
                for f in features
            )
        # A contract from well before the year's end: a batch skips accounts without one.
        start = date(timezone.localdate().year - 1, 1, 1)
        Contract.objects.bulk_create(
            Contract(
                account=account,
                external_id=f"{SLUG_PREFIX}-{account.pk}",
                starts_on=start,
                ends_on=start + timedelta(days=3 * 365),
                recurring_value=Decimal(36_000),
                term_months=36,
            )
            for account in accounts
        )
    return [a.pk for a in accounts]


def batch_outcome(account_ids: list[int], year: int) -> dict[str, Any]:
    """The bench accounts' Wrapped versions as stored: how many are ready, failed, pages."""
    from django.core.files.storage import default_storage

    from reports.models import Report

    reports = list(
        Report.objects.filter(account_id__in=account_ids, document=f"wrapped-{year}").order_by(
            "account_id", "-version"
        )
    )
    latest: dict[int, Report] = {}
    for report in reports:
        latest.setdefault(report.account_id, report)
    ready = [r for r in latest.values() if r.status == Report.Status.READY]
    stored = [r for r in ready if r.file and r.pages and default_storage.exists(r.file.name)]
    errors = sorted({r.error for r in latest.values() if r.error})
    pages = [r.pages for r in ready if r.pages]
    seconds = [r.render_seconds for r in ready if r.render_seconds]
    return {
        "versions": len(latest),
        "ready": len(ready),
        "stored": len(stored),
        "failed": sum(r.status == Report.Status.FAILED for r in latest.values()),
        "pages": (min(pages), max(pages)) if pages else None,
        "render_seconds_median": round(statistics.median(seconds), 4) if seconds else None,
        "errors": errors[:5],
    }


def vm_hwm_kib(pid: int) -> int | None:
    """The peak resident size of a running process (Linux), in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


# The process pool: two spawned processes, each with Django, eager tasks ----------------------


def pool_worker(index: int, warm_slug: str, year: int, todo: Any, results: Any, go: Any) -> None:
    try:
        setup_django()
        from django.db import connections

        from accounts.models import Account
        from reports.services import request_wrapped

        request_wrapped(Account.objects.get(slug=warm_slug), year, acting_user=None)  # warm-up
        results.put(("ready", index, None))
        go.wait()
        made = 0
        started = time.perf_counter()
        while (account_id := todo.get()) is not None:
            request_wrapped(Account.objects.get(pk=account_id), year, acting_user=None)
            made += 1
        seconds = time.perf_counter() - started
        peak = peak_rss_kib()
        connections.close_all()
        results.put(("done", index, {"made": made, "seconds": seconds, "peak_kib": peak}))
    except BaseException as error:  # report it: the parent is waiting
        results.put(("error", index, f"{type(error).__name__}: {error}\n{traceback.format_exc()}"))


def batch_with_pool(account_ids: list[int], year: int, warm_slugs: list[str]) -> dict[str, Any]:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("spawn")
    todo, results, go = context.Queue(), context.Queue(), context.Event()
    workers = [
        context.Process(
            target=pool_worker,
            args=(i, warm_slugs[i % len(warm_slugs)], year, todo, results, go),
            name=f"pdfbench-worker-{i}",
        )
        for i in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    try:

        def receive(expected: str) -> list[Any]:
            got = []
            for _ in workers:
                state, index, payload = results.get(timeout=BATCH_TIMEOUT)
                if state == "error":
                    raise BenchError(f"worker {index} failed: {payload}")
                if state != expected:
                    raise BenchError(f"worker {index} said {state}, expected {expected}")
                got.append(payload)
            return got

        receive("ready")
        for account_id in account_ids:
            todo.put(account_id)
        for _ in workers:
            todo.put(None)
        started = time.perf_counter()
        go.set()
        done = receive("done")
        seconds = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.terminate()
                worker.join()
    return {
        "mode": "pool",
        "description": f"{WORKERS} spawned processes, eager tasks (request_wrapped each)",
        "seconds": seconds,
        "per_worker": [d["made"] for d in done],
        "worker_peak_mib": round(max(d["peak_kib"] for d in done) / 1024, 1),
    }


# Real Celery workers on Redis ----------------------------------------------------------------


def empty_redis_db() -> str | None:
    """The URL of an empty Redis database (one of REDIS_DBS); None when Redis does not answer
    or none is empty."""
    try:
        import redis
    except ImportError:
        return None
    for db in REDIS_DBS:
        url = f"{REDIS_URL}/{db}"
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
            if client.dbsize() == 0:
                return url
        except redis.RedisError:
            return None
    return None


def clear_redis_db(url: str) -> None:
    """Remove what Celery and kombu left in the (formerly empty) database."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    ours = [
        key
        for key in client.scan_iter(count=1000)
        if key.decode(errors="replace").startswith(("_kombu", "celery", "unacked"))
        or b"pidbox" in key
        or b"reply.celery" in key
    ]
    if ours:
        client.delete(*ours)


@contextmanager
def use_broker(url: str) -> Iterator[None]:
    """This process publishes to ``url`` (tasks no longer run in-process) until the block ends."""
    from kombu import pools

    from portal.celery import app

    def reset() -> None:
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    saved = app.conf.broker_url, app.conf.task_always_eager
    reset()
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        reset()
        app.conf.broker_url, app.conf.task_always_eager = saved


@contextmanager
def celery_workers(url: str, log_dir: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """WORKERS ``celery -A portal worker --pool=solo`` processes on ``url``; stopped after."""
    env = {**os.environ, "CELERY_BROKER_URL": url}
    processes: list[subprocess.Popen[bytes]] = []
    logs = [log_dir / f"celery-{i}.log" for i in range(WORKERS)]
    try:
        for i, log in enumerate(logs):
            command = [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                f"--hostname={SLUG_PREFIX}-{i}@%h",
                "--loglevel=INFO",
                f"--logfile={log}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
            with (log_dir / f"celery-{i}.out").open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + 60
        for process, log in zip(processes, logs, strict=True):
            while True:
                if process.poll() is not None:
                    raise BenchError(
                        f"a Celery worker exited with {process.returncode}:\n{tail(log)}"
                    )
                if log.exists() and " ready." in log.read_text(errors="replace"):
                    break
                if time.monotonic() > deadline:
                    raise BenchError(f"a Celery worker was not ready within 60 s:\n{tail(log)}")
                time.sleep(0.1)
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # warm shutdown: idle by now
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise BenchError(f"{what}: not done within {timeout:g} s")
        time.sleep(0.05)


def batch_with_celery(
    url: str, log_dir: Path, account_ids: list[int], year: int, warm_slugs: list[str]
) -> dict[str, Any]:
    from django.db import connections

    from accounts.models import Account, Segment, User, VendorRole
    from reports.models import Report
    from reports.services import progress, request_wrapped, start_batch

    # The batch takes a segment's accounts: leave the bench's accounts alone in theirs.
    Account.objects.filter(segment=Segment.SMB).exclude(pk__in=account_ids).update(
        segment=Segment.MID_MARKET
    )
    admin = User.objects.filter(vendor_role=VendorRole.ADMIN).order_by("pk").first()
    if admin is None:
        raise BenchError("the demo data has no CS admin")
    connections.close_all()
    with celery_workers(url, log_dir) as processes, use_broker(url):
        # Warm-up: a Wrapped for each of the other demo accounts, one for each worker.
        warm = [
            request_wrapped(Account.objects.get(slug=slug), year, acting_user=None)[0].pk
            for slug in warm_slugs
        ]

        def warmed() -> bool:
            pending = Report.objects.filter(
                pk__in=warm, status__in=[Report.Status.QUEUED, Report.Status.RENDERING]
            )
            return not pending.exists()

        wait_for(warmed, 120, "the warm-up Wrapped")
        started = time.perf_counter()
        batch = start_batch(
            year=year, segment=Segment.SMB, email_executives=False, acting_user=admin
        )
        if batch.total != len(account_ids):
            raise BenchError(f"the batch has {batch.total} accounts, not {len(account_ids)}")
        wait_for(lambda: progress(batch).done, BATCH_TIMEOUT, "the batch")
        seconds = time.perf_counter() - started
        peaks = [vm_hwm_kib(p.pid) for p in processes]
    return {
        "mode": "celery",
        "description": f"{WORKERS} celery workers (--pool=solo) on {url}, "
        "a CS admin's batch (start_batch)",
        "seconds": seconds,
        "worker_peak_mib": round(max(p for p in peaks if p) / 1024, 1) if any(peaks) else None,
    }


# --- The run -----------------------------------------------------------------------------------


def document_lines(name: str, figures: dict[str, Any]) -> list[str]:
    ratio_ok = figures["ratio_to_render_alone"] <= AIM_RATIO
    page_ok = figures["seconds_per_page"] <= AIM_SECONDS_PER_PAGE
    return [
        f"{name}: {figures['pages']} pages, {figures['pdf_bytes'] / 1024:.0f} KiB",
        f"  whole generation {figures['seconds_per_pdf']:.3f} s per PDF, "
        f"{figures['seconds_per_page']:.3f} s per page (aim {AIM_SECONDS_PER_PAGE:g}) "
        f"{'ok' if page_ok else 'MISSED'}",
        f"    of which figures {figures['gather_seconds']:.3f} s, "
        f"HTML {figures['html_seconds']:.3f} s",
        f"  WeasyPrint alone on the filled HTML {figures['render_alone_seconds']:.3f} s "
        f"({figures['render_alone_seconds_per_page']:.3f} s per page)",
        f"  ratio whole / alone {figures['ratio_to_render_alone']:.3f} (aim {AIM_RATIO:g}) "
        f"{'ok' if ratio_ok else 'MISSED'}; of the fastest runs "
        f"{figures['ratio_of_best_runs']:.3f}",
        f"  peak memory of a rendering process {figures['peak_mib']:.1f} MiB "
        f"({figures['before_render_mib']:.1f} MiB before its first PDF)",
    ]


def run(args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    env = bench_environment(var_dir)
    os.environ.clear()
    os.environ.update(env)
    say(f"Temporary var dir {var_dir}: migrating, loading the demo data")
    prepare_database()
    from django.db import connections
    from django.utils import timezone

    year = timezone.localdate().year
    review_id = make_review()
    docs: dict[str, Doc] = {"wrapped": ("wrapped", year), "review": ("review", review_id)}
    result: dict[str, Any] = {"ok": True}
    for name, doc in docs.items():
        label = f"{ACCOUNT} Wrapped {year}" if name == "wrapped" else f"{ACCOUNT} review"
        say(f"\n{label}: {args.repeat} runs of each after a warm-up")
        figures = measure(doc, args.repeat)
        connections.close_all()
        memory = peak_memory(doc, PEAK_RUNS)
        figures["peak_mib"] = memory["peak_mib"]
        figures["before_render_mib"] = memory["before_mib"]
        for line in document_lines(label, figures):
            say(line)
        for key, value in figures.items():
            result[f"{name}_{key}"] = value

    say(f"\n{args.accounts} more accounts with acme's usage roll-ups (scaled)")
    account_ids = make_accounts(args.accounts)
    warm_slugs = ["globex", "initech"]
    mode = args.batch
    url = None
    if mode in ("auto", "celery"):
        url = empty_redis_db()
        if url is None:
            if mode == "celery":
                raise BenchError(f"no empty Redis database answered at {REDIS_URL}")
            say(f"Redis at {REDIS_URL} did not answer (or had no empty database): process pool")
            mode = "pool"
        else:
            mode = "celery"
    try:
        if mode == "celery":
            assert url is not None
            say(f"Batch of {args.accounts} Wrapped: {WORKERS} Celery workers on {url}")
            batch = batch_with_celery(url, var_dir, account_ids, year, warm_slugs)
        else:
            say(f"Batch of {args.accounts} Wrapped: {WORKERS} worker processes, eager tasks")
            batch = batch_with_pool(account_ids, year, warm_slugs)
    finally:
        if url is not None:
            clear_redis_db(url)
    outcome = batch_outcome(account_ids, year)
    rate = args.accounts / batch["seconds"]
    say(
        f"  {args.accounts} Wrapped in {batch['seconds']:.1f} s: {rate:.2f} PDFs per second "
        f"({batch['description']})"
    )
    say(
        f"  {outcome['ready']} ready ({outcome['stored']} files stored), {outcome['failed']} "
        f"failed; pages {outcome['pages']}, WeasyPrint median {outcome['render_seconds_median']} s;"
        f" worker peak memory {batch['worker_peak_mib']} MiB"
    )
    if outcome["errors"]:
        say(f"  errors: {outcome['errors']}")
    ok = outcome["stored"] == args.accounts
    result.update(
        {
            "ok": ok,
            f"batch_{args.accounts}_seconds": round(batch["seconds"], 2),
            "batch_pdfs_per_second": round(rate, 3),
            "batch_accounts": args.accounts,
            "batch_ready": outcome["ready"],
            "batch_failed": outcome["failed"],
            "batch_pages": outcome["pages"],
            "batch_render_seconds_median": outcome["render_seconds_median"],
            "batch_worker_peak_mib": batch["worker_peak_mib"],
            "batch_mode": batch["mode"],
            "batch_setup": batch["description"],
            "workers": WORKERS,
        }
    )
    meets = {
        name: result[f"{name}_ratio_to_render_alone"] <= AIM_RATIO
        and result[f"{name}_seconds_per_page"] <= AIM_SECONDS_PER_PAGE
        for name in docs
    }
    result["meets_aims"] = all(meets.values())
    result["aims"] = {"ratio": AIM_RATIO, "seconds_per_page": AIM_SECONDS_PER_PAGE}
    result["repeat"] = args.repeat
    result["setup"] = "SQLite (WAL) in a temporary PORTAL_VAR_DIR, DEBUG=false, medians"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=REPEAT, help="measured runs per document")
    parser.add_argument("--accounts", type=int, default=ACCOUNTS, help="accounts in the batch")
    parser.add_argument(
        "--batch",
        choices=["auto", "celery", "pool"],
        default="auto",
        help="the batch's workers: Celery on Redis when it answers (auto), or processes",
    )
    args = parser.parse_args(argv)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    result = run_in_var_dir(run, args, "portal-bench-pdfs-")
    # Other work on the machine slows WeasyPrint down: the load it had, for judging the figures.
    result["load_average_at_start"] = load_at_start
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    say(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
