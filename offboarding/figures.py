"""What the offboarding pages and panels show, computed once for all of them."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.access import AccountAccess
from accounts.models import Account, User
from surveys.models import Delivery, Kind, Response

from .models import Offboarding, OffboardingStep, Side


@dataclass(frozen=True)
class Checklist:
    """The steps one viewer sees, and how far they are."""

    steps: list[OffboardingStep]
    done: int
    left_overall: int  # every side's steps still to do (what completing waits for)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.steps)) if self.steps else 0


def offboarding_of(account: Account) -> Offboarding | None:
    return (
        Offboarding.objects.filter(account=account)
        .select_related("renewal__churn_reason", "started_by", "completed_by")
        .first()
    )


def checklist(offboarding: Offboarding, access: AccountAccess) -> Checklist:
    """The vendor sees every step, the customer its own side's; one query."""
    every = list(offboarding.steps.select_related("done_by"))
    for step in every:
        step.offboarding = offboarding  # the rules read it; no query per step
    shown = every if access.is_vendor else [s for s in every if s.side == Side.CUSTOMER]
    return Checklist(
        steps=shown,
        done=sum(1 for s in shown if s.done),
        left_overall=sum(1 for s in every if not s.done),
    )


def exit_answers(account: Account) -> list[Response]:
    """The account's exit survey answers, newest first (the vendor's to read)."""
    return list(
        Response.objects.filter(account=account, kind=Kind.EXIT)
        .select_related("user")
        .order_by("-answered_at")
    )


def exit_asked(account: Account) -> int:
    """How many of the account's people were asked the exit survey."""
    return Delivery.objects.filter(account=account, campaign__survey__kind=Kind.EXIT).count()


def own_exit_delivery(account: Account, user: User) -> Delivery | None:
    """The viewer's own exit survey on this account (to answer, or answered)."""
    return (
        Delivery.objects.filter(account=account, user=user, campaign__survey__kind=Kind.EXIT)
        .select_related("response")
        .order_by("-created_at")
        .first()
    )
