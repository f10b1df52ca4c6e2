"""Changes to handovers: filled in the portal by the CSM, received from the sales system
through the API, reviewed, and their objectives taken into the success plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy

from accounts.activity import record, snapshot
from accounts.models import Account, NotificationKind, User
from accounts.services import notify
from portal.i18n import interpolate_lazy
from successplans import services as plan_services
from successplans.models import Objective, SuccessPlan

from .models import (
    Handover,
    HandoverObjective,
    HandoverStatus,
    Influence,
    Promise,
    Stakeholder,
)

HANDOVER_FIELDS = [
    "expectations",
    "challenges",
    "deal_closed_on",
    "deal_amount",
    "sales_owner",
    "source_id",
    "status",
]


@dataclass(frozen=True)
class ObjectiveIn:
    title: str
    why: str = ""
    measure: str = ""
    # The row edited in the portal; None for a new one, and always from the API (where the
    # title finds it).
    id: int | None = None


@dataclass(frozen=True)
class StakeholderIn:
    name: str
    title: str = ""
    deal_role: str = ""
    email: str = ""
    influence: str = Influence.MEDIUM


@dataclass(frozen=True)
class PromiseIn:
    promise: str
    promised_by: str = ""
    due_on: date | None = None


@dataclass(frozen=True)
class HandoverIn:
    """A whole handover, as a form or the API gives it: lists replace the ones kept."""

    expectations: str = ""
    challenges: str = ""
    deal_closed_on: date | None = None
    deal_amount: Decimal | None = None
    sales_owner: str = ""
    source_id: str = ""
    objectives: list[ObjectiveIn] = field(default_factory=list)
    stakeholders: list[StakeholderIn] = field(default_factory=list)
    promises: list[PromiseIn] = field(default_factory=list)


class HandoverInvalid(Exception):
    """The handover cannot be saved as given: each problem names its field."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


def problems(data: HandoverIn) -> list[tuple[str, str]]:
    """What is wrong with ``data`` (the forms and the API check the same first; this is the
    last check, before anything is written)."""
    errors: list[tuple[str, str]] = []
    if not data.objectives:
        errors.append(("objectives", "name at least one objective"))
    for i, objective in enumerate(data.objectives):
        if not objective.title.strip():
            errors.append((f"objectives[{i}].title", "must not be empty"))
    titles = [o.title.strip().casefold() for o in data.objectives]
    for i, title in enumerate(titles):
        if title and title in titles[:i]:
            errors.append((f"objectives[{i}].title", "is named twice"))
    for i, person in enumerate(data.stakeholders):
        if not person.name.strip():
            errors.append((f"stakeholders[{i}].name", "must not be empty"))
        if person.email:
            try:
                validate_email(person.email)
            except ValidationError:
                errors.append((f"stakeholders[{i}].email", "must be an e-mail address"))
        if person.influence not in Influence.values:
            errors.append((f"stakeholders[{i}].influence", "is not a kind of influence"))
    for i, promise in enumerate(data.promises):
        if not promise.promise.strip():
            errors.append((f"promises[{i}].promise", "must not be empty"))
    if data.deal_amount is not None and data.deal_amount < 0:
        errors.append(("deal_amount", "must be 0 or more"))
    return errors


def _write(handover: Handover, data: HandoverIn) -> None:
    """Store ``data`` on ``handover`` (saved), replacing its lists. An objective keeps its row,
    and so whether it was taken into the plan, when its id (or, from the API, its title) is
    sent again."""
    for name in ("expectations", "challenges", "sales_owner", "source_id"):
        setattr(handover, name, getattr(data, name).strip())
    handover.deal_closed_on = data.deal_closed_on
    handover.deal_amount = data.deal_amount
    handover.save()

    kept = {o.pk: o for o in handover.objectives.all()}
    by_title = {o.title.strip().casefold(): o for o in kept.values()}
    keep: list[int] = []
    for position, item in enumerate(data.objectives):
        row = kept.get(item.id) if item.id is not None else None
        row = row or by_title.get(item.title.strip().casefold())
        if row is None or row.pk in keep:
            row = HandoverObjective(handover=handover)
        row.title, row.why, row.measure = item.title.strip(), item.why.strip(), item.measure.strip()
        row.position = position
        row.save()
        keep.append(row.pk)
    handover.objectives.exclude(pk__in=keep).delete()

    handover.stakeholders.all().delete()
    Stakeholder.objects.bulk_create(
        Stakeholder(
            handover=handover,
            name=s.name.strip(),
            title=s.title.strip(),
            deal_role=s.deal_role.strip(),
            email=s.email.strip(),
            influence=s.influence,
            position=i,
        )
        for i, s in enumerate(data.stakeholders)
    )
    handover.promises.all().delete()
    Promise.objects.bulk_create(
        Promise(
            handover=handover,
            promise=p.promise.strip(),
            promised_by=p.promised_by.strip(),
            due_on=p.due_on,
            position=i,
        )
        for i, p in enumerate(data.promises)
    )


def _lists(handover: Handover) -> dict[str, int]:
    return {
        "objectives": handover.objectives.count(),
        "stakeholders": handover.stakeholders.count(),
        "promises": handover.promises.count(),
    }


@transaction.atomic
def save_handover(account: Account, data: HandoverIn, *, acting_user: User) -> Handover:
    """The CSM fills or edits the account's handover in the portal. A new one is a draft; a
    received or reviewed one keeps its status."""
    errors = problems(data)
    if errors:
        raise HandoverInvalid(errors)
    handover = Handover.objects.select_for_update().filter(account=account).first()
    created = handover is None
    if handover is None:
        handover = Handover(account=account, status=HandoverStatus.DRAFT)
    before = None if created else {**snapshot(handover, HANDOVER_FIELDS), **_lists(handover)}
    handover.filled_by = acting_user
    _write(handover, data)
    record(
        gettext_noop("filled in the handover") if created else gettext_noop("edited the handover"),
        actor=acting_user,
        account=account,
        target=handover,
        before=before,
        after={**snapshot(handover, HANDOVER_FIELDS), **_lists(handover)},
        internal=True,
    )
    return handover


@transaction.atomic
def receive_handover(
    account: Account, data: HandoverIn, *, source: str, acting_user: User | None
) -> tuple[Handover, bool]:
    """The sales system sends the account's handover (``source``: the integration's name).
    It replaces what was there and waits for the CSM's review again; the owner CSM hears of
    it in their inbox. Returns the handover and whether it is new."""
    errors = problems(data)
    if errors:
        raise HandoverInvalid(errors)
    handover = Handover.objects.select_for_update().filter(account=account).first()
    created = handover is None
    if handover is None:
        handover = Handover(account=account)
    before = None if created else {**snapshot(handover, HANDOVER_FIELDS), **_lists(handover)}
    handover.status = HandoverStatus.RECEIVED
    handover.received_from = source[:100]
    handover.received_at = timezone.now()
    handover.reviewed_by, handover.reviewed_at = None, None
    _write(handover, data)
    record(
        gettext_noop("received the handover"),
        actor=acting_user,
        account=account,
        target=handover,
        before=before,
        after={
            **snapshot(handover, HANDOVER_FIELDS),
            **_lists(handover),
            "received_from": handover.received_from,
        },
        internal=True,
    )
    if account.owner is not None:
        notify(
            [account.owner],
            kind=NotificationKind.ACCOUNT,
            title=format_lazy(
                gettext_lazy("Handover received for {account}"), account=account.name
            ),
            body=interpolate_lazy(
                ngettext_lazy(
                    "From %(source)s: %(count)d objective to review.",
                    "From %(source)s: %(count)d objectives to review.",
                    len(data.objectives),
                ),
                {"source": source, "count": len(data.objectives)},
            ),
            url=reverse("handover", args=[account.slug]),
            account=account,
        )
    return handover, created


@transaction.atomic
def mark_reviewed(handover: Handover, *, acting_user: User) -> bool:
    """The CSM has read the handover; False when it already was reviewed."""
    changed = (
        Handover.objects.filter(pk=handover.pk)
        .exclude(status=HandoverStatus.REVIEWED)
        .update(
            status=HandoverStatus.REVIEWED,
            reviewed_by=acting_user,
            reviewed_at=timezone.now(),
            updated_at=timezone.now(),
        )
    )
    if changed:
        handover.refresh_from_db()
        record(
            gettext_noop("reviewed the handover"),
            actor=acting_user,
            account=handover.account,
            target=handover,
            internal=True,
        )
    return bool(changed)


class NothingToTake(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _plan_why(objective: HandoverObjective) -> str:
    parts = [objective.why]
    if objective.measure:
        # Written into the plan in the language of the person who takes it.
        parts.append(_("Measured by: %(measure)s") % {"measure": objective.measure})
    return "\n\n".join(p for p in parts if p)


@transaction.atomic
def take_objectives(handover: Handover, plan: SuccessPlan, *, acting_user: User) -> list[Objective]:
    """Add the handover's objectives not taken yet to ``plan`` (shared with the customer, as
    the plan's objectives are), each through the plan's own service, and mark them taken so
    they are never offered twice. Two clicks at once add them once."""
    if plan.account_id != handover.account_id:
        raise NothingToTake(_("That plan belongs to another account."))
    added: list[Objective] = []
    for item in handover.objectives.select_for_update().filter(taken_at__isnull=True):
        objective = Objective(plan=plan, title=item.title[:200], why=_plan_why(item))
        objective.full_clean(exclude=["plan", "owner"])
        plan_services.add_item("objective", objective, acting_user=acting_user)
        item.taken_at, item.plan_objective = timezone.now(), objective
        item.save(update_fields=["taken_at", "plan_objective"])
        added.append(objective)
    if not added:
        raise NothingToTake(_("Every objective of the handover is already in the plan."))
    record(
        gettext_noop("started the plan from the handover"),
        actor=acting_user,
        account=handover.account,
        target=plan,
        after={"objectives": [o.title for o in added]},
        internal=True,
    )
    return added
