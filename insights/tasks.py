"""Background work for insights: the usage roll-up and the health scores.

Both run nightly from beat (portal/settings.py) and on demand through :func:`portal.jobs.enqueue`::

    enqueue("insights.roll_up_usage", account_ids=[7], days=["2026-01-05", "2026-01-06"])
    enqueue("insights.compute_health_scores", account_ids=[7])

Both are idempotent (upserts), so a retry or a second delivery is harmless.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from portal.jobs import job_task

# How many days back the nightly roll-up recomputes, to take in usage that arrived late.
NIGHTLY_ROLL_UP_DAYS = 3
LONG_RUNNING: dict[str, Any] = {"soft_time_limit": 1800, "time_limit": 1860}


def _day(value: str | None) -> date:
    return date.fromisoformat(value) if value else timezone.localdate()


@job_task("insights.roll_up_usage", **LONG_RUNNING)
def roll_up_usage(account_ids: list[int] | None = None, days: list[str] | None = None) -> int:
    """Roll up ``days`` (ISO dates) for ``account_ids``; by default the last
    :data:`NIGHTLY_ROLL_UP_DAYS` days for every account."""
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
