"""The playbooks' daily scan over many accounts with realistic data, and what raising an event
costs a request.

Run ``python bench/playbooks.py`` (with the project's venv). It

1. makes :data:`ACCOUNTS` accounts (``--accounts``) with the other apps' own models, by bulk
   inserts and out of the timed part: owners among :data:`CSMS` CSMs, segments, stages and
   touch models mixed, renewals over the next 400 days, a contract each (MRR/ARR), a few
   customer people each with portal visits (some accounts dark for 30+ days), onboarding
   checklists on a share with tasks overdue, success plans with milestones missed, 8 days of
   health scores (some falling), two weeks of usage roll-ups (some dropping, a feature
   unused), licensed seats (some nearly full) and NPS answers with detractors and follow-ups;
2. makes one enabled playbook for every trigger in :data:`playbooks.triggers.TRIGGERS` (the
   scanned ones with their default settings; "on a schedule" on today's weekday so it fires),
   each a task for the CSM now and a second one some days later (a delayed step);
3. times the scan (:func:`playbooks.services.scan.scan`) with :data:`WORKERS` processes on
   PostgreSQL (``--workers``; one on SQLite), each scanning its share of the accounts
   (``scan(part=(i, n))``), and counts every query they run (``connection.execute_wrapper``),
   and their CPU time (the machine may be shared); the same is done first in a fresh
   database with a tenth of the accounts (``--small``), so that queries per account at both
   sizes show whether the count grows with the accounts;
4. counts the queries of one survey answer (:func:`surveys.services.record_response`, a
   detractor) with the playbooks' receivers connected and disconnected: the difference is what
   raising the event adds to the request (aim: 1, the job row). The job's publishing after
   commit is not counted (without a broker the bench runs jobs in-process).

Where it runs, as ``bench/dataset.py``: with ``DATABASE_URL`` pointing at PostgreSQL, a scratch
database (:data:`SCRATCH_DB`) created, migrated and dropped; otherwise the embedded SQLite
default in a temporary ``PORTAL_VAR_DIR``. SQLite takes one writer at a time: there the
scan runs in one process by default, as two workers' batch transactions would only wait for
each other (and one can starve the other past SQLite's busy timeout: "database is locked").

Human-readable lines come first; the last line of stdout is one JSON object. The exit status
is 1 when the run failed (not when an aim is missed: that is in the JSON).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dataset import scratch_postgres, setup_django  # noqa: E402
from bench.pages import bench_environment, say  # noqa: E402

ACCOUNTS = 10_000
CSMS = 20
WORKERS = 2
AIM_SECONDS = 60
AIM_EVENT_QUERIES = 1
SCRATCH_DB = "portal_playbooks"
SLUG_PREFIX = "pb"
BATCH = 2_000
FEATURES = ["reports", "exports"]
DELAY_DAYS = 3
SEED = 20_261_206  # the second, delayed step of every playbook


class BenchError(Exception):
    """The bench could not do its work."""


# --- Counting queries ----------------------------------------------------------------------


class QueryCounter:
    """A ``connection.execute_wrapper`` that counts what runs through it (DEBUG or not)."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)


@contextmanager
def counted() -> Iterator[QueryCounter]:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


# --- The data ------------------------------------------------------------------------------


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    return list(model.objects.bulk_create(rows, batch_size=BATCH))


def _ids(model: Any, rows: list[Any]) -> list[int]:
    """Primary keys of bulk-created ``rows`` (set by PostgreSQL and SQLite alike)."""
    ids = [row.pk for row in rows]
    if None in ids:
        raise BenchError(f"bulk_create set no primary keys for {model.__name__}")
    return ids


def build_data(accounts: int, today: date) -> dict[str, int]:
    """``accounts`` accounts and everything the detectors read, deterministic by the account's
    index ``i``; how many rows of each. The shares (every 10th account dark, every 7th falling,
    ...) are the same at every size, so a small run and a large one differ only in size."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import (
        Account,
        Activity,
        CustomerRole,
        Membership,
        PortalVisit,
        Segment,
        Stage,
        TouchModel,
        User,
        VendorRole,
    )
    from insights.models import (
        AccountFacts,
        Contract,
        ContractKind,
        FeatureUsageDay,
        HealthScore,
        UsageDay,
    )
    from onboarding.models import Checklist, ChecklistPhase, Task
    from successplans.models import Milestone, MilestoneStatus, SuccessPlan
    from surveys.models import Campaign, Delivery, FollowUp, Kind, Response, Survey

    def at(day: date, hour: int = 12) -> datetime:
        return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
            hours=hour
        )

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    made: dict[str, int] = {}
    stages = [Stage.ONBOARDING, Stage.ADOPTION, Stage.GROWTH, Stage.RENEWAL]
    with transaction.atomic():
        admin = User(email="admin@pb.bench.example", name="Bench admin")
        admin.vendor_role = VendorRole.ADMIN
        admin.set_unusable_password()
        admin.save()
        csms = []
        for n in range(CSMS):
            csm = User(email=f"csm-{n:02d}@pb.bench.example", name=f"Bench CSM {n:02d}")
            csm.vendor_role = VendorRole.CSM
            csm.set_unusable_password()
            csms.append(csm)
        csms = _bulk(User, csms)

        # The accounts are inserted in a shuffled order (fixed seed), so that their ids do not
        # follow the index the data is made from: a worker's share (id modulo workers) gets
        # its fair share of every signal, as with real data.
        order = list(range(accounts))
        random.Random(SEED).shuffle(order)
        rows = _bulk(
            Account,
            [
                Account(
                    name=f"Bench Account {i:05d}",
                    slug=f"{SLUG_PREFIX}-{i:05d}",
                    owner=csms[i % CSMS],
                    segment=list(Segment)[i % 3],
                    touch_model=list(TouchModel)[(i // 3) % 3],
                    # One in twenty churned: the scan leaves those out.
                    stage=Stage.CHURNED if i % 20 == 19 else stages[i % 4],
                    renewal_date=today + timedelta(days=(i * 7_919) % 400),
                )
                for i in order
            ],
        )
        ids = [0] * accounts  # ids[i]: the account made from index i
        for i, pk in zip(order, _ids(Account, rows), strict=True):
            ids[i] = pk
        made["accounts"] = len(ids)
        # Created a year ago, so that "nobody ever logged in" is long dark, not new.
        Account.objects.filter(pk__in=ids).update(created_at=at(ago(365)))

        contracts = []
        for i, account_id in enumerate(ids):
            starts = ago(i % 300)
            contracts.append(
                Contract(
                    account_id=account_id,
                    external_id=f"PB-{i:05d}",
                    product="Northwind Analytics",
                    kind=ContractKind.NEW,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=365),
                    recurring_value=Decimal(6_000 + 600 * (i % 50)),
                    term_months=12,
                )
            )
        made["contracts"] = len(_bulk(Contract, contracts))

        # Three people an account: champion, executive, member.
        roles = [CustomerRole.CHAMPION, CustomerRole.EXECUTIVE, CustomerRole.MEMBER]
        people = []
        for i in range(len(ids)):
            for role in roles:
                person = User(email=f"{role}-{i:05d}@pb-{i:05d}.example", name=f"{role} {i}")
                person.set_unusable_password()
                people.append(person)
        people = _bulk(User, people)
        person_ids = _ids(User, people)
        _bulk(
            Membership,
            [
                Membership(user_id=person_ids[3 * i + r], account_id=account_id, role=roles[r])
                for i, account_id in enumerate(ids)
                for r in range(3)
            ],
        )
        made["people"] = len(person_ids)

        def champion(i: int) -> int:
            return person_ids[3 * i]

        # Portal visits: most accounts seen in the last days; every 10th dark for 35+ days.
        visits = []
        for i, account_id in enumerate(ids):
            dark = i % 10 == 3
            days = [35 + i % 20, 60] if dark else [1 + i % 5, 8 + i % 5, 20]
            for r in range(3 if not dark else 1):
                for offset in days[: 3 - r]:
                    day = ago(offset)
                    visits.append(
                        PortalVisit(
                            user_id=person_ids[3 * i + r],
                            account_id=account_id,
                            day=day,
                            page_views=3 + r,
                            logins=1,
                            last_seen_at=at(day),
                        )
                    )
        made["portal_visits"] = len(_bulk(PortalVisit, visits))

        # Onboarding for the accounts in that stage: started 30 days ago; a customer's
        # recent activity on two in three (the rest stalled); tasks some overdue.
        onboarding = [
            (i, account_id)
            for i, account_id in enumerate(ids)
            if i % 20 != 19 and stages[i % 4] == Stage.ONBOARDING
        ]
        checklists = _bulk(
            Checklist,
            [
                Checklist(
                    account_id=account_id,
                    template_name="Bench onboarding",
                    kickoff_date=ago(30),
                    started_by=csms[i % CSMS],
                )
                for i, account_id in onboarding
            ],
        )
        checklist_ids = _ids(Checklist, checklists)
        Checklist.objects.filter(pk__in=checklist_ids).update(started_at=at(ago(30)))
        phases = _bulk(
            ChecklistPhase,
            [ChecklistPhase(checklist_id=pk, name="Set-up") for pk in checklist_ids],
        )
        tasks = []
        for (i, _), checklist_id, phase in zip(onboarding, checklist_ids, phases, strict=True):
            for n, (due, done) in enumerate(
                [(20, True), (12, i % 8 == 0), (3, False), (-10, False)]
            ):
                tasks.append(
                    Task(
                        checklist_id=checklist_id,
                        phase_id=phase.pk,
                        title=f"Step {n + 1}",
                        position=n,
                        due_date=ago(due),
                        completed_at=at(ago(due)) if done else None,
                    )
                )
        made["checklists"] = len(checklist_ids)
        made["onboarding_tasks"] = len(_bulk(Task, tasks))
        made["activities"] = len(
            _bulk(
                Activity,
                [
                    Activity(
                        account_id=account_id,
                        actor_id=champion(i),
                        verb="completed a task",
                        created_at=at(ago(2)),
                    )
                    for i, account_id in onboarding
                    if i % 3 != 0
                ],
            )
        )

        # Success plans on every 5th account: one milestone missed, one ahead, one done.
        planned = [(i, a) for i, a in enumerate(ids) if i % 5 == 0]
        plans = _bulk(
            SuccessPlan,
            [
                SuccessPlan(
                    account_id=account_id,
                    name="FY plan",
                    starts_on=ago(90),
                    ends_on=ago(-270),
                    created_by=csms[i % CSMS],
                )
                for i, account_id in planned
            ],
        )
        milestones = []
        for plan in plans:
            milestones += [
                Milestone(plan_id=plan.pk, title="Data connected", target_date=ago(5), position=0),
                Milestone(plan_id=plan.pk, title="Go-live", target_date=ago(-30), position=1),
                Milestone(
                    plan_id=plan.pk,
                    title="Kick-off",
                    target_date=ago(60),
                    status=MilestoneStatus.DONE,
                    done_at=at(ago(60)),
                    position=2,
                ),
            ]
        made["plans"] = len(plans)
        made["milestones"] = len(_bulk(Milestone, milestones))

        # Health: 8 days of scores; every 7th account falling 20 points over the week;
        # every 9th with a low usage part.
        scores = []
        for i, account_id in enumerate(ids):
            base = 55 + (i * 13) % 40
            for back in range(7, -1, -1):
                score = base - (20 * (7 - back)) // 7 if i % 7 == 0 else base
                usage_part = 25 if i % 9 == 0 else 75
                scores.append(
                    HealthScore(
                        account_id=account_id,
                        day=ago(back),
                        score=score,
                        band="healthy" if score >= 70 else "at_risk" if score >= 40 else "critical",
                        parts={
                            "usage": {
                                "score": usage_part,
                                "weight": 30,
                                "why": f"usage is {usage_part}",
                            },
                            "sentiment": {"score": 70, "weight": 20, "why": "NPS 8"},
                            "renewal": {"score": 80, "weight": 10, "why": "renewal ahead"},
                        },
                    )
                )
        made["health_scores"] = len(_bulk(HealthScore, scores))

        # Usage: two weeks of roll-ups; every 6th account dropping by 40% this week; seats
        # bought, every 10th account nearly full.
        usage, features, facts = [], [], []
        for i, account_id in enumerate(ids):
            wau = 10 + i % 60
            mau = wau * 2
            for back in range(13, -1, -1):
                this_week = back < 7
                week_wau = int(wau * 0.6) if (i % 6 == 0 and this_week) else wau
                usage.append(
                    UsageDay(
                        account_id=account_id,
                        day=ago(back),
                        active_users=max(week_wau // 3, 1),
                        weekly_active_users=week_wau,
                        monthly_active_users=mau,
                        events=week_wau * 20,
                    )
                )
                for f, feature in enumerate(FEATURES):
                    # Every 4th account stopped using exports 40 days ago.
                    unused = feature == "exports" and i % 4 == 0
                    features.append(
                        FeatureUsageDay(
                            account_id=account_id,
                            day=ago(back),
                            feature=feature,
                            monthly_users=max(wau // (f + 1), 1),
                            events=0 if unused else week_wau * (3 - f),
                        )
                    )
            if i % 4 == 0:
                features.append(
                    FeatureUsageDay(
                        account_id=account_id,
                        day=ago(40),
                        feature="exports",
                        monthly_users=2,
                        events=5,
                    )
                )
            seats = round(mau / 0.95) if i % 10 == 0 else mau * 2
            facts.append(AccountFacts(account_id=account_id, licensed_seats=seats))
        made["usage_days"] = len(_bulk(UsageDay, usage))
        made["feature_usage_days"] = len(_bulk(FeatureUsageDay, features))
        _bulk(AccountFacts, facts)

        # NPS: asked the champion of every 3rd account; three in ten detractors, each with a
        # follow-up, some left open for more than a week.
        survey = Survey.objects.create(
            name="Bench NPS", kind=Kind.NPS, question="Would you recommend us?", created_by=admin
        )
        campaign = Campaign.objects.create(
            survey=survey, name="Bench NPS", roles=["champion"], created_by=admin, waves=1
        )
        asked = [(i, a) for i, a in enumerate(ids) if i % 3 == 0]
        deliveries = _bulk(
            Delivery,
            [
                Delivery(
                    campaign=campaign,
                    account_id=account_id,
                    user_id=champion(i),
                    created_at=at(ago(20)),
                    sent_at=at(ago(20)),
                )
                for i, account_id in asked
            ],
        )
        nps = [9, 10, 8, 3, 9, 6, 10, 7, 2, 9]
        responses = _bulk(
            Response,
            [
                Response(
                    delivery_id=delivery.pk,
                    campaign=campaign,
                    account_id=account_id,
                    user_id=champion(i),
                    kind=Kind.NPS,
                    score=nps[(i // 3) % 10],
                    comment="Too slow to load" if nps[(i // 3) % 10] <= 6 else "",
                    answered_at=at(ago(i % 15)),
                    updated_at=at(ago(i % 15)),
                )
                for (i, account_id), delivery in zip(asked, deliveries, strict=True)
            ],
        )
        statuses = [FollowUp.Status.OPEN, FollowUp.Status.CONTACTED, FollowUp.Status.RESOLVED]
        follow_ups = [
            FollowUp(
                response_id=response.pk,
                account_id=response.account_id,
                csm=csms[i % CSMS],
                status=statuses[(i // 3) % 3],
                created_at=response.answered_at,
            )
            for (i, _), response in zip(asked, responses, strict=True)
            if response.score <= 6
        ]
        made["responses"] = len(responses)
        made["follow_ups"] = len(_bulk(FollowUp, follow_ups))
    return made


def make_playbooks(today: date) -> int:
    """One enabled playbook for every trigger there is, each a task now and a task later;
    how many. Scanned triggers take their default settings (a weekly schedule on today's
    weekday, so that it fires today)."""
    from django.db import transaction

    from playbooks.models import Playbook, PlaybookStep, Priority, StepKind, StopIf
    from playbooks.triggers import TRIGGERS, scan_params

    with transaction.atomic():
        made = 0
        for kind, trigger in TRIGGERS.items():
            params: dict[str, Any] = {}
            if trigger.scanned:
                params = scan_params(trigger, {})
                if "weekday" in params:
                    params["weekday"] = str(today.weekday())
            playbook = Playbook.objects.create(
                name=f"Bench: {trigger.label}",
                trigger=kind,
                trigger_params=params,
                enabled=True,
            )
            PlaybookStep.objects.create(
                playbook=playbook,
                position=0,
                kind=StepKind.CREATE_TASK,
                params={
                    "title": f"{trigger.label}: call {{account}}",
                    "due_in_days": 2,
                    "priority": Priority.HIGH,
                    "reason": "{why}",
                },
            )
            PlaybookStep.objects.create(
                playbook=playbook,
                position=1,
                kind=StepKind.CREATE_TASK,
                delay_days=DELAY_DAYS,
                stop_if=StopIf.TASK_DONE,
                params={"title": "Check in again with {account}", "due_in_days": 1},
            )
            made += 1
    return made


# --- The scan ------------------------------------------------------------------------------


def scan_part(index: int, parts: int, now_iso: str) -> dict[str, Any]:
    """One worker's share of the scan (``scan(part=(index, parts))``), its queries counted."""
    from django.db import connection
    from django.utils.dateparse import parse_datetime

    from playbooks.services.scan import scan

    now = parse_datetime(now_iso)
    started, cpu = time.perf_counter(), time.process_time()
    with counted() as counter:
        counts = scan(now, part=(index, parts))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if parts > 1:
        connection.close()
    return {"counts": counts, "queries": counter.queries, "seconds": seconds, "cpu": cpu}


def timed_scan(now: datetime, workers: int) -> dict[str, Any]:
    """The whole scan at ``now`` with ``workers`` processes (forked, each its own database
    connection); ``workers`` 1 runs it here."""
    from django.db import connections

    started = time.perf_counter()
    if workers == 1:
        parts = [scan_part(0, 1, now.isoformat())]
    else:
        connections.close_all()  # the children open their own
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [
                pool.submit(scan_part, index, workers, now.isoformat()) for index in range(workers)
            ]
            parts = [future.result() for future in futures]
    seconds = time.perf_counter() - started
    events: dict[str, int] = {}
    for part in parts:
        for kind, n in part["counts"].items():
            events[kind] = events.get(kind, 0) + n
    return {
        "seconds": seconds,
        "queries": sum(p["queries"] for p in parts),
        "worker_seconds": [round(p["seconds"], 2) for p in parts],
        "worker_cpu_seconds": [round(p["cpu"], 2) for p in parts],
        "worker_queries": [p["queries"] for p in parts],
        "events_by_kind": events,
    }


# --- Raising an event in a request ---------------------------------------------------------


# The playbooks' receivers on a survey answer: (signal name, sender, dispatch uid).
RESPONSE_RECEIVERS = [("post_save", "playbooks.response_saved")]


def event_queries() -> dict[str, Any]:
    """Queries of one detractor's answer (:func:`surveys.services.record_response`) with the
    playbooks' receivers connected and disconnected, each rolled back (nothing kept, nothing
    run after commit)."""
    from django.db import transaction
    from django.db.models import signals

    from accounts.models import Membership
    from playbooks import signals as receivers
    from surveys.models import Campaign, Delivery, Response
    from surveys.services import record_response

    campaign = Campaign.objects.get(name="Bench NPS")
    member = Membership.objects.filter(role="member").order_by("pk").first()
    if member is None:
        raise BenchError("no customer member to answer")
    delivery = Delivery.objects.create(
        campaign=campaign, account_id=member.account_id, user_id=member.user_id
    )

    def answer() -> int:
        fresh = Delivery.objects.select_related("campaign__survey", "account", "user").get(
            pk=delivery.pk
        )
        with transaction.atomic():
            with counted() as counter:
                record_response(fresh, 3, channel="portal")
            transaction.set_rollback(True)
        return counter.queries

    answer()  # warm the caches (content types, ...)
    connected = answer()
    signal = getattr(signals, RESPONSE_RECEIVERS[0][0])
    uid = RESPONSE_RECEIVERS[0][1]
    if not signal.disconnect(sender=Response, dispatch_uid=uid):
        raise BenchError(f"no receiver {uid} on Response")
    try:
        disconnected = answer()
    finally:
        signal.connect(receivers.response_saved, sender=Response, dispatch_uid=uid)
    again = answer()
    Delivery.objects.filter(pk=delivery.pk).delete()
    return {
        "with_playbooks": connected,
        "without_playbooks": disconnected,
        "with_playbooks_again": again,
        "event_queries": connected - disconnected,
    }


# --- The run -------------------------------------------------------------------------------


def measure(accounts: int, workers: int, *, profile: bool = False) -> dict[str, Any]:
    """Data, playbooks, the timed scan and the event's cost, in the database Django is set up
    on; every figure but the small run's. ``profile``: the scan in one process under cProfile
    (slower), its hottest functions printed."""
    from django.db import connection
    from django.utils import timezone

    from playbooks.models import CSMTask, Event, PlaybookRun, RunStep, StepStatus

    today = timezone.localdate()
    started = time.perf_counter()
    made = build_data(accounts, today)
    data_seconds = time.perf_counter() - started
    say(
        f"Data for {made['accounts']:,} accounts in {data_seconds:.1f} s: "
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in made.items() if k != "accounts")
    )
    playbooks = make_playbooks(today)
    say(
        f"{playbooks} playbooks enabled, one per trigger, each a task now and one in {DELAY_DAYS} days"
    )

    now = timezone.now()
    say(f"Scanning with {workers} worker{'s' if workers > 1 else ''} ({connection.vendor}) ...")
    if profile:
        workers = 1
        profiler = cProfile.Profile()
        scanned = profiler.runcall(timed_scan, now, 1)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        say(out.getvalue())
    else:
        scanned = timed_scan(now, workers)
    runs = PlaybookRun.objects.count()
    events = Event.objects.count()
    tasks = CSMTask.objects.count()
    waiting = RunStep.objects.filter(status=StepStatus.WAITING).count()
    failed = RunStep.objects.filter(status=StepStatus.FAILED).count()
    per_account = scanned["queries"] / accounts
    say(
        f"Scan: {scanned['seconds']:.1f} s wall (workers {scanned['worker_seconds']} s, "
        f"CPU {scanned['worker_cpu_seconds']} s), "
        f"{events:,} events, {runs:,} runs, {tasks:,} tasks, {waiting:,} delayed steps waiting, "
        f"{failed} steps failed; {scanned['queries']:,} queries, {per_account:.2f} per account"
    )
    for kind, n in sorted(scanned["events_by_kind"].items()):
        say(f"  {kind:<26} {n:>7,} events")
    cost = event_queries()
    say(
        f"A detractor's answer: {cost['with_playbooks']} queries with the playbooks' receivers, "
        f"{cost['without_playbooks']} without: raising the event adds {cost['event_queries']} "
        f"(aim {AIM_EVENT_QUERIES})"
    )
    return {
        "database": connection.vendor,
        "accounts": accounts,
        "live_accounts": accounts - accounts // 20,
        "playbooks": playbooks,
        "workers": workers,
        # "in the scan": with no broker (the embedded default) the jobs the scan queues, such
        # as the task e-mails, run inside it; "queued": sent to a broker for workers, as in
        # production.
        "jobs": "queued" if os.environ.get("CELERY_BROKER_URL") else "in the scan",
        "seconds": round(scanned["seconds"], 2),
        "worker_seconds": scanned["worker_seconds"],
        "worker_cpu_seconds": scanned["worker_cpu_seconds"],
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "runs": runs,
        "events": events,
        "events_by_kind": scanned["events_by_kind"],
        "tasks": tasks,
        "delayed_steps_waiting": waiting,
        "steps_failed": failed,
        "queries": scanned["queries"],
        "worker_queries": scanned["worker_queries"],
        "queries_per_account": round(per_account, 2),
        "queries_per_run": round(scanned["queries"] / runs, 2) if runs else None,
        "event_queries": cost["event_queries"],
        "answer_queries": cost,
        "data_seconds": round(data_seconds, 1),
        "data_rows": made,
        "aim_seconds": AIM_SECONDS,
        "aim_event_queries": AIM_EVENT_QUERIES,
    }


def summarize(result: dict[str, Any], small: dict[str, Any] | None) -> dict[str, Any]:
    """The run's figures with the small run's next to them, and whether the aims are met."""
    result = dict(result)
    if small is not None:
        result["accounts_small"] = small["accounts"]
        result["queries_per_account_small"] = small["queries_per_account"]
        result["seconds_small"] = small["seconds"]
        result["runs_small"] = small["runs"]
        result["worker_cpu_seconds_small"] = small.get("worker_cpu_seconds")
        # Both sizes have the same shares of accounts with each signal, so the per-account
        # count is comparable; a fixed few queries (the detectors) weigh less at the larger.
        grown = result["queries_per_account"] - small["queries_per_account"]
        result["queries_per_account_grows"] = grown > 0.05 * small["queries_per_account"]
    else:
        result["queries_per_account_small"] = None
    result["meets_aim_seconds"] = result["seconds"] <= AIM_SECONDS
    result["meets_aim_event_queries"] = result["event_queries"] <= AIM_EVENT_QUERIES
    return result


def run_small(
    accounts: int, workers: int, environ: dict[str, str], broker: str = ""
) -> dict[str, Any]:
    """This bench again in a fresh database with ``accounts`` accounts; its JSON."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--accounts",
        str(accounts),
        "--workers",
        str(workers),
        "--small",
        "0",
        "--scratch-db",
        f"{SCRATCH_DB}_small",
        *(["--broker", broker] if broker else []),
    ]
    done = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise BenchError(f"the small run gave no JSON: {done.stderr[-2000:]}") from error
    if not result.get("ok"):
        raise BenchError(f"the small run failed: {result.get('error')}")
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"scan processes (default {WORKERS} on PostgreSQL, 1 on SQLite: one writer there)",
    )
    parser.add_argument(
        "--small",
        type=int,
        default=None,
        help="accounts of the run that checks queries per account (default a tenth; 0: none)",
    )
    parser.add_argument("--scratch-db", default=SCRATCH_DB, help="PostgreSQL only")
    parser.add_argument(
        "--profile", action="store_true", help="profile the scan in one process (cProfile)"
    )
    parser.add_argument(
        "--broker",
        default="",
        help="a Celery broker URL: the jobs the scan queues (the task e-mails) are sent there, "
        "as in production where workers run them, instead of run inside the scan (the "
        "embedded default); the queue is not consumed",
    )
    args = parser.parse_args(argv)
    if args.accounts < 1 or (args.workers is not None and args.workers < 1):
        parser.error("--accounts and --workers must be positive")
    if args.small is None:
        args.small = max(args.accounts // 10, 1) if args.accounts >= 20 else 0
    return args


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # so that the clean-up below still runs

    signal.signal(signal.SIGTERM, stop)
    args = parse_args(argv)
    original = dict(os.environ)
    database_url = os.environ.get("DATABASE_URL", "")
    postgres = database_url.startswith(("postgres://", "postgresql://", "pgsql://"))
    if args.workers is None:
        args.workers = WORKERS if postgres else 1
    if database_url and not postgres:
        say(f"DATABASE_URL is not PostgreSQL ({urlsplit(database_url).scheme}): using SQLite")
    result: dict[str, Any] = {}
    try:
        small = None
        if args.small:
            say(f"First {args.small:,} accounts in a fresh database, for the queries per account")
            small = run_small(args.small, args.workers, original, args.broker)
            say(
                f"  {small['queries_per_account']} queries per account, "
                f"{small['seconds']} s (CPU {small.get('worker_cpu_seconds')} s), "
                f"{small['runs']:,} runs"
            )
        var_dir = Path(tempfile.mkdtemp(prefix="portal-playbooks-"))
        env = bench_environment(var_dir)  # clears DATABASE_URL and the other portal settings
        os.environ.clear()
        os.environ.update(env)
        if args.broker:
            os.environ["CELERY_BROKER_URL"] = args.broker
        try:
            if postgres:
                with scratch_postgres(database_url, args.scratch_db) as scratch_url:
                    os.environ["DATABASE_URL"] = scratch_url
                    say(f"Scratch database {args.scratch_db} (created now, dropped at the end)")
                    setup_django()
                    result = measure(args.accounts, args.workers, profile=args.profile)
                    result["scratch_database"] = args.scratch_db
            else:
                say(f"SQLite in the temporary var dir {var_dir}")
                setup_django()
                result = measure(args.accounts, args.workers, profile=args.profile)
        finally:
            if "django.db" in sys.modules:
                sys.modules["django.db"].connections.close_all()
            shutil.rmtree(var_dir, ignore_errors=True)
        result = summarize(result, small)
        say(
            f"Aims: all playbooks over {args.accounts:,} accounts in {AIM_SECONDS} s with "
            f"{args.workers} workers: {'met' if result['meets_aim_seconds'] else 'MISSED'} "
            f"({result['seconds']} s on {result['database']}); raising an event adds "
            f"{result['event_queries']} quer{'y' if result['event_queries'] == 1 else 'ies'}: "
            f"{'met' if result['meets_aim_event_queries'] else 'MISSED'}"
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
