"""Background work for insights: the usage roll-up and the health scores.

Nightly, beat starts ``insights.run_nightly`` (portal/settings.py), which splits the accounts
into chunks and enqueues one ``insights.run_nightly_chunk`` job per chunk: each rolls up its
accounts' usage, then scores them (:mod:`insights.services.nightly`). On demand, through
:func:`portal.jobs.enqueue`::

    enqueue("insights.roll_up_usage", account_ids=[7], days=["2026-01-05", "2026-01-06"])
    enqueue("insights.compute_health_scores", account_ids=[7])

All are idempotent (upserts), so a retry or a second delivery is harmless.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from portal.jobs import job_task

LONG_RUNNING: dict[str, Any] = {"soft_time_limit": 1800, "time_limit": 1860}
# A chunk is tried this many times (10 s, then 20 s apart by default) before it fails for good.
NIGHTLY_CHUNK_ATTEMPTS = 3


def _day(value: str | None) -> date:
    return date.fromisoformat(value) if value else timezone.localdate()


@job_task("insights.roll_up_usage", **LONG_RUNNING)
def roll_up_usage(account_ids: list[int] | None = None, days: list[str] | None = None) -> int:
    """Roll up ``days`` (ISO dates) for ``account_ids``; by default the last
    :data:`NIGHTLY_ROLL_UP_DAYS` days for every account."""
    from .services.nightly import NIGHTLY_ROLL_UP_DAYS
    from .services.usage import days_back, roll_up

    wanted = [date.fromisoformat(d) for d in days] if days else None
    return roll_up(account_ids, wanted or days_back(timezone.localdate(), NIGHTLY_ROLL_UP_DAYS))


@job_task("insights.compute_health_scores", **LONG_RUNNING)
def compute_health_scores(
    account_ids: list[int] | None = None, day: str | None = None, account_id: int | None = None
) -> int:
    """Score ``account_ids`` (or the one ``account_id``; by default every account) for
    ``day`` (an ISO date, today by default)."""
    from .services.health import compute_health_scores as compute

    if account_id is not None:
        account_ids = [*(account_ids or []), account_id]
    return compute(account_ids, _day(day))


@job_task("insights.keep_up_usage_events", **LONG_RUNNING)
def keep_up_usage_events() -> int:
    """Nightly: make the coming months' usage partitions (PostgreSQL) and remove raw usage
    older than ``USAGE_EVENT_RETENTION_DAYS``. Returns how many partitions were made; running
    it twice changes nothing."""
    from .services.partitions import drop_expired_usage, ensure_coming_usage_partitions

    made = ensure_coming_usage_partitions()
    drop_expired_usage()
    return made


@job_task("insights.run_nightly", soft_time_limit=300, time_limit=330)
def run_nightly(day: str | None = None) -> int:
    """Start the night's roll-up and health scores for ``day`` (an ISO date, today by
    default): one job per chunk of accounts. Returns the run's id."""
    from .services.nightly import start_nightly_run

    return start_nightly_run(_day(day)).pk


def _give_up_chunk(error: str, chunk_id: int) -> None:
    from .services.nightly import fail_chunk

    fail_chunk(chunk_id, error)


@job_task(
    "insights.run_nightly_chunk",
    give_up=_give_up_chunk,
    max_attempts=NIGHTLY_CHUNK_ATTEMPTS,
    soft_time_limit=600,
    time_limit=660,
)
def run_nightly_chunk(chunk_id: int) -> int:
    """One chunk of a night's run: roll up its accounts, then score them."""
    from .services.nightly import run_chunk

    return run_chunk(chunk_id)


@job_task("insights.run_csql_rules", **LONG_RUNNING)
def run_csql_rules(day: str | None = None) -> dict[str, int]:
    """Nightly, after the roll-ups: raise the upsell leads (CSQLs) the rules find for ``day``
    (an ISO date, today by default). Safe to run twice: a rule never raises a second active
    lead on an account."""
    from .services.csql_rules import run_csql_rules as run

    return {str(rule): count for rule, count in run(_day(day)).items()}
