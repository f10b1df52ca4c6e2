"""Raising an event: one job row in the caller's transaction, the rest after commit.

    raise_event(EventKind.NPS_DETRACTOR, account_id=7, source="response:12", data={...})

The request pays for one insert (the job); recording the :class:`~playbooks.models.Event` and
running playbooks on it happen in the job, off the request, and a second delivery of the
same event (same kind and source) records nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from portal.jobs import enqueue


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
        kind=str(kind),
        account_id=account_id,
        source=source,
        data=data or {},
        occurred_at=(occurred_at or timezone.now()).isoformat(),
    )
