"""Every change to renewals. Views, tasks and the demo call these.

Each write is a function named by its verb with a keyword-only ``acting_user`` (None for the
nightly task), and records what it did in the activity log. A stage change sends
:data:`renewals.signals.renewal_stage_changed` after commit (and :data:`renewal_churned` for a
churn), which playbooks turns into events.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from accounts.access import AccountAccess
from accounts.activity import entry_for, record, record_many, snapshot
from accounts.models import User
from insights.models import Contract

from .models import (
    CLOSED_STAGES,
    LOST_STAGES,
    ChurnReason,
    Forecast,
    Renewal,
    RenewalStage,
    RenewalStep,
    Side,
    StepTemplate,
)
from .signals import renewal_approaching, renewal_churned, renewal_stage_changed

StepT = TypeVar("StepT", bound=models.Model)

# A renewal is opened for every contract ending within this many days (a year and a quarter:
# the pipeline shows twelve months, the CSM starts earlier).
HORIZON_DAYS = 456
# Playbooks hear of a renewal this many days before its date (renewal_approaching), once each.
REMINDER_DAYS = (90, 30)
RENEWAL_FIELDS = [
    "stage",
    "forecast",
    "forecast_reason",
    "amount_committed",
    "churn_reason",
    "churn_note",
]


# Who may do what -------------------------------------------------------------------------------


def may_tick(access: AccountAccess, step: RenewalStep) -> bool:
    """Each side ticks its own steps; the vendor's team may tick any (it records what the
    customer told them)."""
    if access.is_vendor:
        return access.can("renewals.edit")
    return access.can("renewals.tick_step") and step.side == Side.CUSTOMER


# Opening renewals -------------------------------------------------------------------------------


def annual_value(contract: Contract) -> Decimal:
    """The contract's ARR, to the cent (the amount at stake)."""
    return (contract.mrr * 12).quantize(Decimal("0.01"))


def _checklist_for(renewal: Renewal, templates: list[StepTemplate]) -> list[RenewalStep]:
    return [
        RenewalStep(renewal=renewal, title=t.title, side=t.side, position=t.position)
        for t in templates
    ]


@transaction.atomic
def open_renewals(
    *,
    today: date | None = None,
    contract_ids: list[int] | None = None,
    acting_user: User | None,
) -> list[Renewal]:
    """A renewal for every contract ending from ``today`` to :data:`HORIZON_DAYS` on that has
    none (of ``contract_ids`` only, when given), each with the default checklist. Safe to run
    twice: a contract has one renewal, and a second run opens nothing."""
    today = today or timezone.localdate()
    contracts = Contract.objects.filter(
        ends_on__gte=today,
        ends_on__lte=today + timedelta(days=HORIZON_DAYS),
        renewal__isnull=True,
    ).only("pk", "account_id", "ends_on", "recurring_value", "value_period", "term_months")
    if contract_ids is not None:
        contracts = contracts.filter(pk__in=contract_ids)
    now = timezone.now()
    made = [
        Renewal(
            contract=c,
            account_id=c.account_id,
            amount_at_stake=annual_value(c),
            renews_on=c.ends_on,
            created_at=now,
        )
        for c in contracts
    ]
    if not made:
        return []
    Renewal.objects.bulk_create(made, ignore_conflicts=True)
    # Those this run made (another run at the same moment made the rest).
    opened = list(
        Renewal.objects.filter(
            contract_id__in=[r.contract_id for r in made], created_at=now
        ).select_related("contract")
    )
    templates = list(StepTemplate.objects.all())
    RenewalStep.objects.bulk_create(
        [step for renewal in opened for step in _checklist_for(renewal, templates)]
    )
    record_many(
        [
            entry_for(
                gettext_noop("opened a renewal"),
                actor=acting_user,
                account=renewal.account,
                target=renewal,
                after={"renews_on": renewal.renews_on.isoformat()},
                internal=True,
            )
            for renewal in opened
        ]
    )
    return opened


# Moving a renewal on ------------------------------------------------------------------------------


# What a stage asks for, one whole sentence each (a stage's name is not put into a sentence).
AMOUNT_NEEDED: dict[str, StrPromise] = {
    RenewalStage.COMMITTED: gettext_lazy("A committed renewal needs the amount committed."),
    RenewalStage.RENEWED: gettext_lazy("A renewed renewal needs the amount committed."),
    RenewalStage.EXPANDED: gettext_lazy("An expanded renewal needs the amount committed."),
}
REASON_NEEDED: dict[str, StrPromise] = {
    RenewalStage.CHURNED: gettext_lazy(
        "Say why the renewal churned: choose a reason from the list."
    ),
    RenewalStage.CONTRACTED: gettext_lazy(
        "Say why the renewal contracted: choose a reason from the list."
    ),
}


def _validate(
    renewal: Renewal,
    stage: str,
    amount_committed: Decimal | None,
    churn_reason: ChurnReason | None,
) -> None:
    if stage not in RenewalStage.values:
        raise ValidationError(gettext("Choose a stage from the list."))
    if stage in AMOUNT_NEEDED and amount_committed is None:
        raise ValidationError(str(AMOUNT_NEEDED[stage]))
    if stage in REASON_NEEDED and churn_reason is None:
        raise ValidationError(str(REASON_NEEDED[stage]))
    if (
        churn_reason is not None
        and not churn_reason.active
        and churn_reason != renewal.churn_reason
    ):
        raise ValidationError(
            gettext("“%(reason)s” is no longer offered: choose another reason.")
            % {"reason": churn_reason.name}
        )
    at_stake = renewal.amount_at_stake
    if stage == RenewalStage.CONTRACTED and (
        amount_committed is None or amount_committed >= at_stake
    ):
        raise ValidationError(
            gettext("A contracted renewal needs an amount committed below the one at stake.")
        )
    if (
        stage == RenewalStage.EXPANDED
        and amount_committed is not None
        and amount_committed <= at_stake
    ):
        raise ValidationError(
            gettext("An expanded renewal needs an amount committed above the one at stake.")
        )


@transaction.atomic
def update_renewal(
    renewal: Renewal,
    *,
    stage: str,
    forecast: str,
    forecast_reason: str = "",
    amount_committed: Decimal | None = None,
    churn_reason: ChurnReason | None = None,
    churn_note: str = "",
    acting_user: User,
) -> Renewal:
    """Set a renewal's stage, forecast and amounts. A committed, renewed or expanded renewal
    needs the amount committed; a churned or contracted one a reason from the list (a
    contracted one its smaller amount too). Closing stages stamp ``closed_at``."""
    renewal = Renewal.objects.select_for_update().select_related("contract").get(pk=renewal.pk)
    if forecast not in Forecast.values:
        raise ValidationError(gettext("Choose a forecast from the list."))
    _validate(renewal, stage, amount_committed, churn_reason)
    before = snapshot(renewal, RENEWAL_FIELDS)
    stage_before = renewal.stage
    renewal.stage = stage
    renewal.forecast = forecast
    renewal.forecast_reason = " ".join(forecast_reason.split())[:300]
    renewal.amount_committed = None if stage == RenewalStage.CHURNED else amount_committed
    lost = stage in LOST_STAGES
    renewal.churn_reason = churn_reason if lost else None
    renewal.churn_note = " ".join(churn_note.split())[:500] if lost else ""
    if stage in CLOSED_STAGES:
        renewal.closed_at = renewal.closed_at if stage_before == stage else timezone.now()
    else:
        renewal.closed_at = None
    renewal.save()
    after = snapshot(renewal, RENEWAL_FIELDS)
    if before == after:
        return renewal
    record(
        gettext_noop("updated a renewal"),
        actor=acting_user,
        account=renewal.account,
        target=renewal,
        before=before,
        after=after,
        internal=True,
    )
    if stage != stage_before:
        _announce_stage(renewal, stage_before, stage, timezone.now())
    return renewal


def _announce_stage(renewal: Renewal, before: str, after: str, changed_at: datetime) -> None:
    def send() -> None:
        renewal_stage_changed.send(
            sender=Renewal, renewal=renewal, before=before, after=after, changed_at=changed_at
        )
        if after == RenewalStage.CHURNED:
            renewal_churned.send(sender=Renewal, renewal=renewal, changed_at=changed_at)

    transaction.on_commit(send)


# Reminders ------------------------------------------------------------------------------------------


def send_reminders(*, today: date) -> int:
    """Tell playbooks of the open renewals :data:`REMINDER_DAYS` from their date, once per
    renewal date and reminder (a renewal first seen 20 days out is told "30 days", not "90"
    as well). Returns how many were sent."""
    sent = 0
    furthest = max(REMINDER_DAYS)
    due = Renewal.objects.exclude(stage__in=CLOSED_STAGES).filter(
        renews_on__gte=today, renews_on__lte=today + timedelta(days=furthest)
    )
    for renewal_id in due.values_list("pk", flat=True):
        sent += _remind(renewal_id, today)
    return sent


@transaction.atomic
def _remind(renewal_id: int, today: date) -> int:
    renewal = Renewal.objects.select_for_update().select_related("account").get(pk=renewal_id)
    left = (renewal.renews_on - today).days
    reached = [days for days in REMINDER_DAYS if left <= days]
    keys = [f"{days}:{renewal.renews_on.isoformat()}" for days in reached]
    if not reached or all(key in renewal.reminders_sent for key in keys):
        return 0
    tightest = min(reached)
    tell = f"{tightest}:{renewal.renews_on.isoformat()}" not in renewal.reminders_sent
    renewal.reminders_sent = sorted({*renewal.reminders_sent, *keys})
    renewal.save(update_fields=["reminders_sent", "updated_at"])
    if not tell:
        return 0
    transaction.on_commit(
        lambda: renewal_approaching.send(sender=Renewal, renewal=renewal, days=tightest)
    )
    return 1


# The checklist ------------------------------------------------------------------------------------


@transaction.atomic
def tick_step(
    step: RenewalStep, *, done: bool, access: AccountAccess, acting_user: User
) -> RenewalStep:
    """Tick (or untick) a step of the renewal checklist, as the side that does it."""
    if not may_tick(access, step):
        raise ValidationError(
            gettext("This step is for the customer to tick.")
            if step.side == Side.CUSTOMER
            else gettext("This step is for the vendor to tick.")
        )
    step = RenewalStep.objects.select_for_update().select_related("renewal").get(pk=step.pk)
    if step.done == done:
        return step
    step.done_at = timezone.now() if done else None
    step.done_by = acting_user if done else None
    step.save(update_fields=["done_at", "done_by"])
    record(
        gettext_noop("ticked a renewal step") if done else gettext_noop("unticked a renewal step"),
        actor=acting_user,
        account=access.account,
        target=step,
        after={"done": done},
    )
    return step


# What CS admins keep ---------------------------------------------------------------------------------


def append_step_template(
    model: type[StepT], *, title: str, side: str, verb: str, acting_user: User
) -> StepT:
    """A shared checklist's template gains a step at its end (the renewal checklist's here,
    offboarding's too): the title tidied, the side checked, the activity recorded as ``verb``."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError(gettext("Name the step."))
    if side not in Side.values:
        raise ValidationError(gettext("Choose the side that does the step."))
    last = model._default_manager.aggregate(last=Max("position"))["last"]
    step = model._default_manager.create(
        title=title[:200], side=side, position=0 if last is None else last + 1
    )
    record(verb, actor=acting_user, target=step, after={"title": title[:200], "side": side})
    return step


@transaction.atomic
def add_step_template(*, title: str, side: str, acting_user: User) -> StepTemplate:
    return append_step_template(
        StepTemplate,
        title=title,
        side=side,
        verb=gettext_noop("added a renewal checklist step"),
        acting_user=acting_user,
    )


@transaction.atomic
def remove_step_template(step: StepTemplate, *, acting_user: User) -> None:
    """Renewals already opened keep their copy of the step."""
    record(
        gettext_noop("removed a renewal checklist step"),
        actor=acting_user,
        target=step,
        before={"title": step.title},
    )
    step.delete()


@transaction.atomic
def add_churn_reason(*, name: str, acting_user: User) -> ChurnReason:
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationError(gettext("Name the reason."))
    if ChurnReason.objects.filter(name__iexact=name).exists():
        raise ValidationError(gettext("“%(name)s” is on the list already.") % {"name": name})
    reason = ChurnReason.objects.create(name=name)
    record(
        gettext_noop("added a churn reason"), actor=acting_user, target=reason, after={"name": name}
    )
    return reason


@transaction.atomic
def set_churn_reason_active(reason: ChurnReason, *, active: bool, acting_user: User) -> ChurnReason:
    """Take a reason off the list offered (the renewals it explains keep it) or put it back."""
    if reason.active == active:
        return reason
    reason.active = active
    reason.save(update_fields=["active"])
    record(
        gettext_noop("offered a churn reason again")
        if active
        else gettext_noop("retired a churn reason"),
        actor=acting_user,
        target=reason,
        after={"active": active},
    )
    return reason
