"""The daily scan: find the scanned signals (:mod:`playbooks.detectors`) for every enabled
playbook that starts from one, record each occurrence once, and fire the playbooks on it.

Each detector runs once per distinct setting (two "renewal in 90 days" playbooks share one
run), answers for every account in a few queries, and names each occurrence by its source;
an occurrence already recorded (kind and source are unique) is skipped, so running the scan
twice, or every day while a condition lasts, records one event and fires one run. Events are
recorded in batches (one look-up and one insert per batch), then only the new ones are
evaluated (:func:`playbooks.services.runs.evaluate_events`), each batch in one transaction:
a failure leaves none of its events recorded, so the next scan finds them again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..detectors import Candidate, load
from ..events import announce_recorded
from ..models import Event, Playbook
from ..triggers import TRIGGERS, scan_params
from .runs import Shared, evaluate_events

log = logging.getLogger(__name__)

BATCH = 500


#: Other apps that want scanned kinds found even when no playbook starts from them (an active
#: webhook subscribed to "task overdue"): each a callable answering those kinds, registered
#: with :func:`also_scan_for` when the app is ready. Playbooks imports none of them.
ALSO_WANTED: list[Callable[[], Iterable[str]]] = []


def also_scan_for(wanted: Callable[[], Iterable[str]]) -> None:
    """Register ``wanted``: the scan also looks for the scanned kinds it answers, with the
    trigger's default settings (what a playbook with untouched settings records)."""
    if wanted not in ALSO_WANTED:
        ALSO_WANTED.append(wanted)


def scanned_settings() -> list[tuple[str, dict[str, Any]]]:
    """Each (scanned kind, trigger settings) that some enabled playbook starts from, or some
    other app wants (:func:`also_scan_for`), once. One query, and one per other app."""
    scanned = [kind for kind, trigger in TRIGGERS.items() if trigger.scanned]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    rows: list[tuple[str, Any]] = list(
        Playbook.objects.filter(enabled=True, trigger__in=scanned).values_list(
            "trigger", "trigger_params"
        )
    )
    for wanted in ALSO_WANTED:
        rows.extend((kind, {}) for kind in wanted() if kind in scanned)
    for kind, params in rows:
        settings = scan_params(TRIGGERS[kind], params or {})
        found.setdefault((kind, json.dumps(settings, sort_keys=True, default=str)), settings)
    return [(kind, settings) for (kind, _), settings in sorted(found.items())]


def scan(now: datetime | None = None, *, part: tuple[int, int] = (0, 1)) -> dict[str, int]:
    """Run the scan at ``now`` (the present by default); returns how many new events were
    recorded per scanned kind that some enabled playbook uses.

    ``part`` (index, parts) keeps the accounts whose id is ``index`` modulo ``parts``, so that
    ``parts`` workers can share one scan, each recording and evaluating its own accounts (the
    detectors' queries still read every account: they are few and cheap)."""
    now = now or timezone.now()
    index, parts = part
    if not 0 <= index < parts:
        raise ValueError(f"part {index} of {parts}")
    detectors = load()
    counts: dict[str, int] = {}
    runs = 0
    for kind, settings in scanned_settings():
        counts.setdefault(kind, 0)
        detect = detectors.get(kind)
        if detect is None:
            log.warning("no detector for the scanned signal %s", kind)
            continue
        candidates = detect(settings, now)
        if parts > 1:
            candidates = (c for c in candidates if c.account_id % parts == index)
        recorded, fired = record_and_evaluate(kind, candidates, now)
        counts[kind] += recorded
        runs += fired
    log.info("playbook scan: %s new events, %s runs", sum(counts.values()), runs)
    return counts


def record_and_evaluate(
    kind: str, candidates: Iterable[Candidate], now: datetime
) -> tuple[int, int]:
    """Record the candidates not recorded before as events of ``kind`` and fire the playbooks
    on each; returns (events recorded, runs fired)."""
    unique: dict[str, Candidate] = {}
    for candidate in candidates:
        unique.setdefault(candidate.source, candidate)
    recorded = fired = 0
    pending = list(unique.values())
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        with transaction.atomic():
            events = _record_new(kind, batch, now)
            if events:
                shared = Shared(kind, [e.account_id for e in events])
                fired += len(evaluate_events(events, shared))
        recorded += len(events)
    return recorded, fired


def _record_new(kind: str, batch: list[Candidate], now: datetime) -> list[Event]:
    """The batch's events not recorded before, now recorded: three queries (one when all
    are)."""
    sources = [c.source for c in batch]
    known = set(
        Event.objects.filter(kind=kind, source__in=sources).values_list("source", flat=True)
    )
    fresh = [c for c in batch if c.source not in known]
    if not fresh:
        return []
    # A concurrent scan may record the same events: the unique (kind, source) keeps one, and
    # each playbook fires once per event whoever evaluates it.
    Event.objects.bulk_create(
        [
            Event(
                account_id=c.account_id,
                kind=kind,
                source=c.source,
                data=c.data,
                occurred_at=now,
                recorded_at=timezone.now(),
            )
            for c in fresh
        ],
        ignore_conflicts=True,
    )
    # A concurrent scan's rows come back too; each is announced by whoever reads it first
    # after its insert (a delivery is unique per event and endpoint, so twice is harmless).
    recorded = list(
        Event.objects.filter(kind=kind, source__in=[c.source for c in fresh]).order_by("pk")
    )
    announce_recorded(recorded)
    return recorded
