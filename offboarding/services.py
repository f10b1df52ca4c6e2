"""Every change to offboardings. Views, receivers and the demo call these.

Each write is a function named by its verb with a keyword-only ``acting_user`` (None when a
churned renewal starts it), and records what it did in the activity log. Starting and
completing send :mod:`offboarding.signals` after commit, which playbooks turns into events.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.access import AccountAccess
from accounts.activity import record
from accounts.models import Account, CustomerRole, User
from accounts.services import set_offboarded
from renewals.models import ChurnReason, Renewal
from renewals.services import append_step_template
from surveys.services import ask_exit

from .models import Offboarding, OffboardingStep, Side, StepKind, StepTemplate
from .signals import offboarding_completed, offboarding_started

# Who the exit survey asks.
EXIT_SURVEY_ROLES = [CustomerRole.CHAMPION.value]


# Who may do what -------------------------------------------------------------------------------


def may_see(access: AccountAccess, step: OffboardingStep) -> bool:
    """The vendor sees every step; the customer its own side's."""
    return access.is_vendor or step.side == Side.CUSTOMER


def may_tick(access: AccountAccess, step: OffboardingStep) -> bool:
    """Each side ticks its own steps; the vendor's team may tick any (it records what the
    customer told them). The exit survey's step ticks itself when it is answered."""
    if step.is_exit_survey and not access.is_vendor:
        return False
    if step.offboarding.is_complete:
        return False
    if access.is_vendor:
        return access.can("offboarding.manage")
    return access.can("offboarding.tick_step") and step.side == Side.CUSTOMER


# Starting -----------------------------------------------------------------------------------------


def start_offboarding(
    account: Account, *, renewal: Renewal | None = None, acting_user: User | None
) -> Offboarding:
    """The account's offboarding, started now with the default checklist if it has none (a
    second call, a churn after a hand start, two at once: the same one, started once). The
    exit survey goes to the champions as it starts."""
    existing = Offboarding.objects.filter(account=account).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            offboarding = Offboarding.objects.create(
                account=account, renewal=renewal, started_by=acting_user
            )
            OffboardingStep.objects.bulk_create(
                [
                    OffboardingStep(
                        offboarding=offboarding,
                        title=t.title,
                        side=t.side,
                        kind=t.kind,
                        position=t.position,
                    )
                    for t in StepTemplate.objects.all()
                ]
            )
            record(
                gettext_noop("started the offboarding"),
                actor=acting_user,
                account=account,
                target=offboarding,
                after={"renewal": renewal.pk if renewal else None},
                internal=True,
            )
            _send_exit_survey(offboarding, acting_user=acting_user)
            transaction.on_commit(
                lambda: offboarding_started.send(sender=Offboarding, offboarding=offboarding)
            )
    except IntegrityError:  # started at the same moment elsewhere
        return Offboarding.objects.get(account=account)
    return offboarding


def _send_exit_survey(offboarding: Offboarding, *, acting_user: User | None) -> int:
    if not offboarding.steps.filter(kind=StepKind.EXIT_SURVEY).exists():
        return 0
    reasons = list(ChurnReason.objects.filter(active=True).values_list("name", flat=True))
    asked = ask_exit(
        offboarding.account,
        choices=reasons,
        roles=EXIT_SURVEY_ROLES,
        acting_user=acting_user,
    )
    if asked:
        offboarding.exit_survey_sent_at = timezone.now()
        offboarding.save(update_fields=["exit_survey_sent_at"])
    return asked


@transaction.atomic
def send_exit_survey(offboarding: Offboarding, *, acting_user: User) -> int:
    """Ask the champions not asked yet (one who joined since, or none was asked at the
    start); how many were asked."""
    if offboarding.is_complete:
        raise ValidationError(
            gettext("The offboarding is done: the account receives no more e-mail.")
        )
    asked = _send_exit_survey(offboarding, acting_user=acting_user)
    if not asked:
        raise ValidationError(gettext("Every champion of the account has been asked already."))
    return asked


# The checklist ------------------------------------------------------------------------------------


@transaction.atomic
def tick_step(
    step: OffboardingStep, *, done: bool, access: AccountAccess, acting_user: User
) -> OffboardingStep:
    """Tick (or untick) a step, as the side that does it."""
    if step.offboarding.is_complete:
        raise ValidationError(gettext("The offboarding is done: its steps no longer change."))
    if not may_tick(access, step):
        if step.is_exit_survey:
            raise ValidationError(
                gettext("This step ticks itself when the exit survey is answered.")
            )
        if step.side == Side.CUSTOMER:
            raise ValidationError(gettext("This step is for the customer to tick."))
        raise ValidationError(gettext("This step is for the vendor to tick."))
    step = OffboardingStep.objects.select_for_update().get(pk=step.pk)
    if step.done == done:
        return step
    step.done_at = timezone.now() if done else None
    step.done_by = acting_user if done else None
    step.save(update_fields=["done_at", "done_by"])
    record(
        gettext_noop("ticked an offboarding step")
        if done
        else gettext_noop("unticked an offboarding step"),
        actor=acting_user,
        account=access.account,
        target=step,
        after={"done": done},
    )
    return step


@transaction.atomic
def exit_survey_answered(account_id: int, *, user: User | None) -> int:
    """An exit answer arrived: the offboarding's exit survey step ticks itself (by whoever
    answered). How many steps it ticked (0 when done already, or no offboarding)."""
    steps = OffboardingStep.objects.filter(
        offboarding__account_id=account_id,
        offboarding__completed_at__isnull=True,
        kind=StepKind.EXIT_SURVEY,
        done_at__isnull=True,
    )
    ticked = 0
    for step in steps.select_related("offboarding__account"):
        step.done_at, step.done_by = timezone.now(), user
        step.save(update_fields=["done_at", "done_by"])
        record(
            gettext_noop("ticked an offboarding step"),
            actor=user,
            account=step.offboarding.account,
            target=step,
            after={"done": True, "by": "the exit survey"},
        )
        ticked += 1
    return ticked


# Completing ---------------------------------------------------------------------------------------


@transaction.atomic
def complete_offboarding(offboarding: Offboarding, *, acting_user: User) -> Offboarding:
    """Mark the account offboarded once every step is done: it keeps its history and its
    people's log-ins, and receives no more e-mail."""
    offboarding = (
        Offboarding.objects.select_for_update().select_related("account").get(pk=offboarding.pk)
    )
    if offboarding.is_complete:
        return offboarding
    left = offboarding.steps.filter(done_at__isnull=True).count()
    if left:
        raise ValidationError(
            ngettext(
                "{left} step still to do: the account is offboarded once every step is done.",
                "{left} steps still to do: the account is offboarded once every step is done.",
                left,
            ).format(left=left)
        )
    offboarding.completed_at = timezone.now()
    offboarding.completed_by = acting_user
    offboarding.save(update_fields=["completed_at", "completed_by"])
    record(
        gettext_noop("completed the offboarding"),
        actor=acting_user,
        account=offboarding.account,
        target=offboarding,
        internal=True,
    )
    set_offboarded(offboarding.account, offboarded=True, acting_user=acting_user)
    transaction.on_commit(
        lambda: offboarding_completed.send(sender=Offboarding, offboarding=offboarding)
    )
    return offboarding


# What CS admins keep --------------------------------------------------------------------------------


@transaction.atomic
def add_step_template(*, title: str, side: str, acting_user: User) -> StepTemplate:
    return append_step_template(
        StepTemplate,
        title=title,
        side=side,
        verb=gettext_noop("added an offboarding step"),
        acting_user=acting_user,
    )


@transaction.atomic
def move_step_template(step: StepTemplate, *, up: bool, acting_user: User) -> StepTemplate:
    """Swap the step with the one before (``up``) or after it."""
    steps = list(StepTemplate.objects.select_for_update())
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    other = index - 1 if up else index + 1
    if other < 0 or other >= len(steps):
        return step
    steps[index], steps[other] = steps[other], steps[index]
    for position, each in enumerate(steps):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])
    record(
        gettext_noop("moved an offboarding step"),
        actor=acting_user,
        target=step,
        after={"position": other},
    )
    return steps[other]


@transaction.atomic
def remove_step_template(step: StepTemplate, *, acting_user: User) -> None:
    """Offboardings already started keep their copy of the step."""
    record(
        gettext_noop("removed an offboarding step"),
        actor=acting_user,
        target=step,
        before={"title": step.title},
    )
    step.delete()
