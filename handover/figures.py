"""What the handover pages, the 360° card and the API show of a handover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accounts.models import Account
from successplans.figures import current_plan
from successplans.models import SuccessPlan

from .models import Handover, HandoverObjective


def handover_of(account: Account) -> Handover | None:
    """The account's handover with its lists (four queries), or None."""
    return (
        Handover.objects.filter(account=account)
        .select_related("filled_by", "reviewed_by")
        .prefetch_related("objectives", "stakeholders", "promises")
        .first()
    )


def target_plan(account: Account, day: date) -> SuccessPlan | None:
    """The plan the handover's objectives go into: the one running on ``day``, else the
    newest one (a plan that starts next month is still the first plan)."""
    return (
        current_plan(account, day)
        or SuccessPlan.objects.filter(account=account).order_by("-starts_on", "-pk").first()
    )


@dataclass(frozen=True)
class ObjectiveOffer:
    """The handover's objectives not yet taken into the plan, and the plan to take them to."""

    plan: SuccessPlan | None
    objectives: list[HandoverObjective]
    plan_is_empty: bool

    @property
    def count(self) -> int:
        return len(self.objectives)


def objective_offer(handover: Handover, day: date) -> ObjectiveOffer:
    """What "Start from the handover" would add; ``handover.objectives`` prefetched or not."""
    untaken = [o for o in handover.objectives.all() if o.taken_at is None]
    plan = target_plan(handover.account, day)
    empty = plan is not None and not plan.objectives.exists()
    return ObjectiveOffer(plan=plan, objectives=untaken, plan_is_empty=empty)
