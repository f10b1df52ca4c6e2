"""Raising an event: one job row in the caller's transaction, the rest after commit.

    raise_event(EventKind.NPS_DETRACTOR, account_id=7, source="response:12", data={...})

The request pays for one insert (the job); recording the :class:`~playbooks.models.Event` and
running playbooks on it happen in the job, off the request, and a second delivery of the
same event (same kind and source) records nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from portal.jobs import enqueue

#: Sent after the commit that recorded new events (raised or found by the scan), once per
#: batch, with ``events``: the list of :class:`~playbooks.models.Event` rows newly recorded (a
#: second delivery of the same event sends nothing). Integrations (webhooks, chat, the inbox)
#: listen here, off the request that raised the event.
events_recorded = Signal()


def announce_recorded(events: list[Any]) -> None:
    """Send :data:`events_recorded` for ``events`` once the current transaction commits."""
    if events:
        transaction.on_commit(lambda: events_recorded.send(sender=None, events=list(events)))


def pending_event(
    kind: str,
    *,
    account_id: int,
    source: str,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """One event as a job carries it (the keywords of ``playbooks.record_event``)."""
    return {
        "kind": str(kind),
        "account_id": account_id,
        "source": source,
        "data": data or {},
        "occurred_at": (occurred_at or timezone.now()).isoformat(),
    }


def raise_events(events: list[dict[str, Any]]) -> None:
    """Several events from one save (stage and owner changed at once): still one job row.
    ``events`` are made by :func:`pending_event`."""
    if len(events) == 1:
        enqueue("playbooks.record_event", **events[0])
    elif events:
        enqueue("playbooks.record_events", pending=events)


def raise_event(
    kind: str,
    *,
    account_id: int,
    source: str,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> None:
    enqueue(
        "playbooks.record_event",
        **pending_event(
            kind, account_id=account_id, source=source, data=data, occurred_at=occurred_at
        ),
    )
