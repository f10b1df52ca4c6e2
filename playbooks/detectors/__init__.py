"""The signals nobody's save raises: found by the daily scan (renewal in N days, onboarding
stalled, no log-in for N days, seats nearly full, …) and for "on a schedule".

A detector takes a playbook's trigger settings and the moment of the scan and yields the
accounts that meet it now, each as a :class:`Candidate` whose ``source`` makes the event
unique (a renewal 90 days out is one event per contract end and threshold, not one a day).
Detectors answer for every account in a few queries, never one per account.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Account, Stage


@dataclass(frozen=True)
class Candidate:
    account_id: int
    source: str
    data: dict[str, Any] = field(default_factory=dict)


Detector = Callable[[dict[str, Any], datetime], Iterable[Candidate]]
DETECTORS: dict[str, Detector] = {}

# One module per family of signals; each registers its detectors when imported.
MODULES: list[str] = ["accounts", "onboarding", "plans", "surveys", "health", "usage"]


def detector(kind: str) -> Callable[[Detector], Detector]:
    def decorator(function: Detector) -> Detector:
        DETECTORS[kind] = function
        return function

    return decorator


def load() -> dict[str, Detector]:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return DETECTORS


# What every detector shares ----------------------------------------------------------------


def live_accounts() -> QuerySet[Account]:
    """The accounts the scan looks at: every one but the churned (a churned customer has no
    renewal, onboarding or usage to act on; a playbook's conditions narrow the rest). Used as
    a subquery, never loaded."""
    return Account.objects.exclude(stage=Stage.CHURNED)


def today_of(now: datetime) -> date:
    return timezone.localdate(now)


def settings_of(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The trigger settings an event records (:func:`playbooks.triggers.scan_params`), so the
    playbooks with these settings, and only those, accept it."""
    from ..triggers import TRIGGERS, scan_params

    return scan_params(TRIGGERS[kind], params)


def run_began(latest: date, meets: Callable[[date], bool], look_back: int = 7) -> date | None:
    """The first day of the run of consecutive days, ending on ``latest``, on which ``meets``
    holds; None when it does not hold on ``latest``, or when the run began more than
    ``look_back`` days before (an earlier scan found it then). A figure that stays past its
    threshold for days is one occurrence, named by the day it began; one that recovers and
    falls again is a second."""
    if not meets(latest):
        return None
    day = latest
    for _ in range(look_back):
        before = day - timedelta(days=1)
        if not meets(before):
            return day
        day = before
    return None
