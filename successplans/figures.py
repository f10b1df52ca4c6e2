"""Success plan figures: KPI progress, plan health, and the plan as one viewer sees it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Account
from onboarding.models import Side

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .models import (
    KPI,
    ActionItem,
    KPIValue,
    Milestone,
    MilestoneStatus,
    Objective,
    PlanComment,
    PlanHealth,
    SignOff,
    SignOffStatus,
    SuccessPlan,
)

# A KPI this many percentage points behind the time gone puts the plan at risk; twice as
# far, off track. Both sides are the whole percentages the pages print (kpi_progress and
# time_gone), so a reader who sees "40% of the time gone" and "15%" can check the health.
AT_RISK_GAP = 25
OFF_TRACK_GAP = 50

# Figures the portal computes that a KPI can be bound to: key -> (label, function(account)).
# Features register theirs (surveys: NPS, insights: active users); none are faked.
KPI_SOURCES: dict[str, tuple[StrOrPromise, Callable[[Account], Decimal | None]]] = {}


def register_kpi_source(
    key: str, label: StrOrPromise
) -> Callable[[Callable[[Account], Decimal | None]], Callable[[Account], Decimal | None]]:
    def decorator(
        function: Callable[[Account], Decimal | None],
    ) -> Callable[[Account], Decimal | None]:
        KPI_SOURCES[key] = (label, function)
        return function

    return decorator


def _whole_percent_floored(share: Decimal) -> int:
    """``share`` (0..1) as a whole percentage, rounded down."""
    return int((share * 100).to_integral_value(rounding=ROUND_FLOOR))


def kpi_met(baseline: Decimal, target: Decimal, value: Decimal | None) -> bool:
    """The target reached (or passed), for figures that should rise and for those that should
    fall (a target below the baseline)."""
    if value is None or target == baseline:
        return False
    return value >= target if target > baseline else value <= target


def kpi_progress(baseline: Decimal, target: Decimal, value: Decimal | None) -> int | None:
    """How far a KPI has come from its baseline toward its target, as a whole percentage 0..100,
    for figures that should rise and for those that should fall.

    Worse than the baseline is 0, at or beyond the target 100. Rounded *down*, so that 100% is
    printed only when the target is reached (``kpi_met``): 99.9% of the way reads 99%. None
    without a value (nothing measured yet, "no data"), or for a target equal to its baseline
    (which the forms and a database constraint refuse).

    48 hours down to 8, now 35: 13 of 40 hours gone, 32.5% -> 32.
    """
    if value is None or target == baseline:
        return None
    share = (Decimal(value) - baseline) / (Decimal(target) - baseline)
    if share >= 1:
        return 100
    return _whole_percent_floored(max(share, Decimal(0)))


def time_gone(start: date, end: date, today: date) -> int:
    """The share of a plan's time gone on ``today``, as a whole percentage 0..100: days since
    ``start`` over the days from ``start`` to ``end``. Rounded down like ``kpi_progress``, so
    100% means the period is over (and 0% that it has not begun)."""
    if end <= start:
        return 100
    days = min(max((today - start).days, 0), (end - start).days)
    return _whole_percent_floored(Decimal(days) / Decimal((end - start).days))


def kpi_gap(kpi: KPI, plan: SuccessPlan, today: date) -> int | None:
    """How many percentage points the KPI's progress is behind the time gone toward its target
    date (the plan's end without one); None without a current value."""
    progress = kpi.progress
    if progress is None:
        return None
    return time_gone(plan.starts_on, kpi.target_date or plan.ends_on, today) - progress


def computed_health(
    plan: SuccessPlan, milestones: list[Milestone], kpis: list[KPI], today: date
) -> str:
    """What the plan's figures say. Off track: two or more overdue milestones, or a KPI 50
    points behind the time gone. At risk: one overdue milestone, or a KPI 25 points behind.
    Otherwise on track.

    Only the shared part of the plan counts (internal milestones, and KPIs of internal
    objectives, are left out): the health is one figure that the champion, the CSM, the
    portfolio, the PDFs and the health score all show, and it must not move for reasons a
    customer cannot see. Pass the KPIs with their objective loaded (``select_related`` or a
    prefetch through the objectives)."""
    overdue = sum(1 for m in milestones if not m.internal and m.is_overdue(today))
    gaps = [
        g
        for g in (kpi_gap(k, plan, today) for k in kpis if not k.objective.internal)
        if g is not None
    ]
    worst = max(gaps, default=0)
    if overdue >= 2 or worst >= OFF_TRACK_GAP:
        return PlanHealth.OFF_TRACK
    if overdue == 1 or worst >= AT_RISK_GAP:
        return PlanHealth.AT_RISK
    return PlanHealth.ON_TRACK


def plan_health(
    plan: SuccessPlan, milestones: list[Milestone], kpis: list[KPI], today: date
) -> str:
    """The plan's health as every page, PDF and the health score show it: the CSM's judgement
    where they set one (with a reason), else what the figures say (``computed_health``)."""
    return plan.health_override or computed_health(plan, milestones, kpis, today)


def current_plan(account: Account, day: date) -> SuccessPlan | None:
    """The plan running on ``day`` (the newest, when two overlap): the one the health score,
    the API and the account page speak of."""
    return (
        SuccessPlan.objects.filter(account=account, starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on", "pk")
        .first()
    )


def plan_health_on(plan: SuccessPlan, day: date) -> str:
    """``plan_health`` of one plan on ``day``, loading what it needs (two queries): for callers
    that hold a plan and nothing else, such as the account health score."""
    milestones = list(plan.milestones.filter(internal=False))
    kpis = list(
        KPI.objects.filter(objective__plan=plan, objective__internal=False).select_related(
            "objective"
        )
    )
    return plan_health(plan, milestones, kpis, day)


def overdue_milestones(today: date) -> Q:
    """:meth:`Milestone.is_overdue`, as a filter on milestones (a test proves they agree):
    marked missed, or not done and past its target date."""
    return Q(status=MilestoneStatus.MISSED) | (
        ~Q(status=MilestoneStatus.DONE) & Q(target_date__lt=today)
    )


def next_milestone(milestones: list[Milestone]) -> Milestone | None:
    """The first milestone still to reach, in date order (milestones already in that order)."""
    return next(
        (m for m in milestones if m.status not in (MilestoneStatus.DONE, MilestoneStatus.MISSED)),
        None,
    )


def lead_kpi(objectives: list[Objective]) -> KPI | None:
    """The KPI a one-line summary of a plan shows (the portfolio row, the account page's panel):
    the first KPI of the first shared objective that has one, in the plan's order, so that the
    customer and the CSM see the same one (objectives and their KPIs already loaded)."""
    return next((k for o in objectives if not o.internal for k in o.kpis.all()), None)


def sparkline(values: list[Decimal], width: int = 96, height: int = 24) -> str:
    """SVG polyline points for a small trend of ``values``."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - float((v - low) / span) * (height - 4):.1f}"
        for i, v in enumerate(values)
    )


@dataclass
class PlanView:
    plan: SuccessPlan
    objectives: list[Objective]
    milestones: list[Milestone]
    actions: list[ActionItem]
    comments: list[PlanComment]
    today: date

    @property
    def kpis(self) -> list[KPI]:
        return [k for o in self.objectives for k in o.kpis.all()]

    @property
    def computed_health(self) -> str:
        return computed_health(self.plan, self.milestones, self.kpis, self.today)

    @property
    def lead_kpi(self) -> KPI | None:
        return lead_kpi(self.objectives)

    @property
    def computed_health_label(self) -> str:
        return str(PlanHealth(self.computed_health).label)

    @property
    def health(self) -> str:
        return plan_health(self.plan, self.milestones, self.kpis, self.today)

    @property
    def health_label(self) -> str:
        return str(PlanHealth(self.health).label)

    @property
    def customer_actions(self) -> list[ActionItem]:
        return of_side(self.actions, Side.CUSTOMER)

    @property
    def vendor_actions(self) -> list[ActionItem]:
        return of_side(self.actions, Side.VENDOR)

    @property
    def next_milestone(self) -> Milestone | None:
        return next_milestone(self.milestones)

    @property
    def time_gone(self) -> int:
        return time_gone(self.plan.starts_on, self.plan.ends_on, self.today)


@dataclass(frozen=True)
class PlanSummary:
    """What the plan page's head shows before its parts load: the health and the time gone."""

    plan: SuccessPlan
    health: str
    computed_health: str
    today: date

    @property
    def health_label(self) -> str:
        return str(PlanHealth(self.health).label)

    @property
    def computed_health_label(self) -> str:
        return str(PlanHealth(self.computed_health).label)

    @property
    def time_gone(self) -> int:
        return time_gone(self.plan.starts_on, self.plan.ends_on, self.today)


def plan_summary(plan: SuccessPlan, today: date | None = None) -> PlanSummary:
    """The plan's health from its shared milestones and KPIs (two queries, whatever their
    number): the same figure :attr:`PlanView.health` gives from the whole plan."""
    today = today or timezone.localdate()
    milestones = list(plan.milestones.filter(internal=False))
    kpis = list(
        KPI.objects.filter(objective__plan=plan, objective__internal=False).select_related(
            "objective"
        )
    )
    computed = computed_health(plan, milestones, kpis, today)
    return PlanSummary(plan, plan.health_override or computed, computed, today)


# What a plan shows that can be internal to the vendor.
_Shown = TypeVar("_Shown", Objective, Milestone, ActionItem, PlanComment)


def plan_view(plan: SuccessPlan, *, customer: bool, comments: int = 20) -> PlanView:
    """Load a plan for display in a fixed number of queries, whatever its size."""

    def visible(queryset: QuerySet[_Shown]) -> QuerySet[_Shown]:
        return queryset.filter(internal=False) if customer else queryset

    objectives = list(
        visible(plan.objectives.select_related("owner")).prefetch_related(
            Prefetch(
                "kpis",
                queryset=KPI.objects.prefetch_related(
                    Prefetch("history", queryset=KPIValue.objects.order_by("recorded_at", "pk"))
                ),
            )
        )
    )
    return PlanView(
        plan=plan,
        objectives=objectives,
        milestones=list(
            visible(plan.milestones.all()).prefetch_related(
                Prefetch(
                    "signoffs",
                    queryset=SignOff.objects.select_related(
                        "requested_by", "approver", "decided_by"
                    ),
                )
            )
        ),
        actions=list(visible(plan.actions.select_related("assignee"))),
        comments=list(visible(plan.comments.select_related("author"))[:comments]),
        today=timezone.localdate(),
    )


def of_side(actions: Iterable[ActionItem], side: str) -> list[ActionItem]:
    """The action items of one side (the customer's or the vendor's), in their order."""
    return [a for a in actions if a.side == side]


def by_side(actions: Iterable[ActionItem]) -> tuple[list[ActionItem], list[ActionItem]]:
    """The customer's action items, then the vendor's."""
    return of_side(actions, Side.CUSTOMER), of_side(actions, Side.VENDOR)


# Sign-offs ----------------------------------------------------------------------------------


def signoffs_awaiting(account: Account, user_id: int) -> QuerySet[SignOff]:
    """The account's pending sign-offs that ``user_id`` may decide (those naming nobody, or
    them), oldest first, of milestones the customer sees."""
    return (
        SignOff.objects.filter(
            account=account,
            status=SignOffStatus.PENDING,
            milestone__internal=False,
        )
        .filter(Q(approver__isnull=True) | Q(approver_id=user_id))
        .select_related("milestone__plan", "requested_by", "approver")
        .order_by("requested_at", "pk")
    )


def signoffs_in_period(account: Account, start: date, end: date) -> list[SignOff]:
    """The sign-offs a review of ``start`` to ``end`` reports: those decided in the period, and
    those still waiting that were asked for by its end. One query."""
    starts = timezone.make_aware(datetime.combine(start, time.min))
    ends = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return list(
        SignOff.objects.filter(account=account, milestone__internal=False)
        .filter(
            Q(decided_at__gte=starts, decided_at__lt=ends)
            | Q(status=SignOffStatus.PENDING, requested_at__lt=ends)
        )
        .select_related("milestone", "decided_by", "requested_by")
        .order_by("requested_at", "pk")
    )


def objectives_against_targets(
    account: Account, today: date
) -> tuple[SuccessPlan | None, list[Objective]]:
    """The running plan (or the newest) and its shared objectives with their KPIs: what the
    executive's home shows. Two queries."""
    plan = current_plan(account, today) or (
        SuccessPlan.objects.filter(account=account).order_by("-starts_on", "-pk").first()
    )
    if plan is None:
        return None, []
    objectives = list(
        plan.objectives.filter(internal=False).select_related("owner").prefetch_related("kpis")
    )
    return plan, objectives
