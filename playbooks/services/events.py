"""Recording what happened to an account, once per kind and source."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Account, Membership
from insights.models import Contract, ContractKind, HealthScore
from successplans.figures import plan_health_on
from successplans.models import KPI, Objective, PlanHealth, SuccessPlan

from ..events import announce_recorded, pending_event
from ..models import Event, EventKind


def record_event(
    kind: str, *, account_id: int, source: str, data: dict[str, Any], occurred_at: str
) -> Event | None:
    """Store the event once (kind and source are unique); None if its account is gone."""
    if not Account.objects.filter(pk=account_id).exists():
        return None
    when = parse_datetime(occurred_at) if occurred_at else None
    event, created = Event.objects.get_or_create(
        kind=kind,
        source=source,
        defaults={"account_id": account_id, "data": data, "occurred_at": when or timezone.now()},
    )
    if created:
        announce_recorded([event])
    return event


def health_band_event(account_id: int, day: date, band: str, score: int) -> Event | None:
    """A health score saved for ``day``: an event if its band differs from the score before."""
    previous = (
        HealthScore.objects.filter(account_id=account_id, day__lt=day)
        .order_by("-day")
        .values("band", "score", "day")
        .first()
    )
    if previous is None or previous["band"] == band:
        return None
    return record_event(
        EventKind.HEALTH_BAND_CHANGED,
        account_id=account_id,
        source=f"health:{account_id}:{day.isoformat()}",
        data={
            "from_band": previous["band"],
            "to_band": band,
            # What a trigger narrowed to one band ("changed to Critical") compares.
            "from": previous["band"],
            "to": band,
            "from_score": previous["score"],
            "to_score": score,
            "day": day.isoformat(),
        },
        occurred_at=timezone.now().isoformat(),
    )


def person_left_events(user_id: int, deactivated_at: str) -> list[Event]:
    """A deactivated person: one event per account where they were champion or executive."""
    from ..signals import LEAVING_ROLES

    events = []
    for membership in Membership.objects.filter(user_id=user_id):
        # A person left every account they belonged to; a champion or executive left too.
        kinds: list[str] = [EventKind.PERSON_LEFT]
        if membership.role in LEAVING_ROLES:
            kinds.insert(0, LEAVING_ROLES[membership.role])
        for kind in kinds:
            event = record_event(
                kind,
                account_id=membership.account_id,
                source=f"user:{user_id}:deactivated:{deactivated_at}:account:{membership.account_id}",
                data={"user_id": user_id, "role": membership.role, "how": "deactivated"},
                occurred_at=deactivated_at,
            )
            if event is not None:
                events.append(event)
    return events


def milestone_done_event(milestone_id: int, done_at: str) -> Event | None:
    """A milestone saved done: the event on its plan's account, once per time it was done."""
    from successplans.models import Milestone

    milestone = (
        Milestone.objects.filter(pk=milestone_id)
        .select_related("plan")
        .only(
            "id", "title", "target_date", "internal", "plan__id", "plan__name", "plan__account_id"
        )
        .first()
    )
    if milestone is None:
        return None
    return record_event(
        EventKind.MILESTONE_DONE,
        account_id=milestone.plan.account_id,
        source=f"milestone:{milestone_id}:done:{done_at}",
        data={
            "milestone_id": milestone_id,
            "milestone": milestone.title,
            "plan_id": milestone.plan.pk,
            "plan": milestone.plan.name,
            "target_date": milestone.target_date.isoformat(),
            "internal": milestone.internal,
        },
        occurred_at=done_at,
    )


def record_events(events: list[dict[str, Any]]) -> list[Event]:
    """Several events raised by one save (``playbooks.events.raise_events``)."""
    recorded = [record_event(**pending) for pending in events]
    return [event for event in recorded if event is not None]


# Contracts ------------------------------------------------------------------------------------

CONTRACT_EVENTS: dict[str, str] = {
    ContractKind.NEW: EventKind.CONTRACT_STARTED,
    ContractKind.RENEWAL: EventKind.CONTRACT_RENEWED,
    ContractKind.EXPANSION: EventKind.CONTRACT_EXPANDED,
    ContractKind.CONTRACTION: EventKind.CONTRACT_CONTRACTED,
}


def contract_event(contract: Contract, today: date) -> dict[str, Any] | None:
    """The event a contract line raises when it is booked (its kind says which), once per
    contract. None for a line that had already ended when written: history being loaded
    (an import of last year's contracts) is not something that happens to the account now.

    Churn is no contract line: it is the account's stage set to churned (raised with the
    stage) or, in the figures, an account paying at the start of a period and nothing at its
    end (insights.figures.revenue) - a question for the daily scan."""
    kind = CONTRACT_EVENTS.get(contract.kind)
    if kind is None or contract.ends_on < today:
        return None
    return pending_event(
        kind,
        account_id=contract.account_id,
        source=f"contract:{contract.pk}",
        occurred_at=contract.created_at,
        data={
            "contract_id": contract.pk,
            "external_id": contract.external_id,
            "product": contract.product,
            "kind": contract.kind,
            "starts_on": contract.starts_on.isoformat(),
            "ends_on": contract.ends_on.isoformat(),
            "mrr": str(round(contract.mrr, 2)),
            "currency": contract.currency,
        },
    )


def contracts_written_events(contract_ids: list[int], written_at: str) -> list[Event]:
    """A bulk write of contracts (the API, the import): an event for each line it inserted.
    An updated line keeps its ``created_at``, so lines created before ``written_at`` were
    there already and raised their event then."""
    since = parse_datetime(written_at)
    if since is None:
        return []
    today = timezone.localdate(since)
    pending = (
        contract_event(contract, today)
        for contract in Contract.objects.filter(pk__in=contract_ids, created_at__gte=since)
    )
    return record_events([p for p in pending if p is not None])


# Success plans --------------------------------------------------------------------------------


def plan_id_for(
    plan_id: int | None = None, objective_id: int | None = None, kpi_id: int | None = None
) -> int | None:
    """The plan of whatever a receiver had in hand (a KPI knows its objective, not its plan)."""
    if plan_id is not None:
        return plan_id
    if objective_id is not None:
        return Objective.objects.filter(pk=objective_id).values_list("plan_id", flat=True).first()
    if kpi_id is not None:
        return KPI.objects.filter(pk=kpi_id).values_list("objective__plan_id", flat=True).first()
    return None


def last_plan_health(plan: SuccessPlan) -> str:
    """The band the last "plan health changed" event left the plan in; a plan with none is
    on track (nothing is overdue or behind on its first day)."""
    last = (
        Event.objects.filter(
            account_id=plan.account_id,
            kind=EventKind.PLAN_HEALTH_CHANGED,
            source__startswith=f"plan:{plan.pk}:",
        )
        .order_by("-occurred_at", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    return str((last or {}).get("to") or PlanHealth.ON_TRACK)


def plan_health_event(plan_id: int, today: date) -> Event | None:
    """Something on the plan changed: an event if its health (as every page shows it) is now
    in another band than the last event left it. Also what a daily scan would call, since an
    overdue milestone moves the band with no save at all."""
    plan = SuccessPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        return None
    band = plan_health_on(plan, today)
    before = last_plan_health(plan)
    if band == before:
        return None
    return record_event(
        EventKind.PLAN_HEALTH_CHANGED,
        account_id=plan.account_id,
        source=f"plan:{plan.pk}:{before}>{band}:{today.isoformat()}",
        data={"plan_id": plan.pk, "plan": plan.name, "from": before, "to": band},
        occurred_at=timezone.now().isoformat(),
    )


# People ---------------------------------------------------------------------------------------


def first_login_events(user_id: int, logged_in_at: str) -> list[Event]:
    """A customer's first log-in: one event on each account they belong to, once ever."""
    return record_events(
        [
            pending_event(
                EventKind.FIRST_LOGIN,
                account_id=account_id,
                source=f"first-login:{user_id}:{account_id}",
                data={"user_id": user_id},
                occurred_at=parse_datetime(logged_in_at),
            )
            for account_id in Membership.objects.filter(user_id=user_id).values_list(
                "account_id", flat=True
            )
        ]
    )
