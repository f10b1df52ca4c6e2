"""Success plan figures: KPI progress, plan health, and the plan as one viewer sees it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Account
from onboarding.models import Side

from .models import (
    KPI,
    ActionItem,
    KPIValue,
    Milestone,
    Objective,
    PlanComment,
    PlanHealth,
    SuccessPlan,
)

# What a customer may not see is marked internal on each of these.
Shown = TypeVar("Shown", Objective, Milestone, ActionItem, PlanComment)

# A KPI this far behind the share of time gone puts the plan at risk, twice as far off track.
AT_RISK_GAP = 0.25
OFF_TRACK_GAP = 0.50

# Figures the portal computes that a KPI can be bound to: key -> (label, function(account)).
# Features register theirs (surveys: NPS, insights: active users); none are faked.
KPI_SOURCES: dict[str, tuple[str, Callable[[Account], Decimal | None]]] = {}


def register_kpi_source(
    key: str, label: str
) -> Callable[[Callable[[Account], Decimal | None]], Callable[[Account], Decimal | None]]:
    def decorator(
        function: Callable[[Account], Decimal | None],
    ) -> Callable[[Account], Decimal | None]:
        KPI_SOURCES[key] = (label, function)
        return function

    return decorator


def share_of_time(start: date, end: date, today: date) -> float:
    """How much of the period from ``start`` to ``end`` has gone, 0..1."""
    if end <= start:
        return 1.0
    return min(max((today - start).days / (end - start).days, 0.0), 1.0)


def kpi_gap(kpi: KPI, plan: SuccessPlan, today: date) -> float | None:
    """How far the KPI's progress is behind the time gone; None without a current value."""
    progress = kpi.progress
    if progress is None:
        return None
    return share_of_time(plan.starts_on, kpi.target_date or plan.ends_on, today) - progress


def computed_health(
    plan: SuccessPlan, milestones: list[Milestone], kpis: list[KPI], today: date
) -> str:
    """Off track: two or more overdue milestones, or a KPI half the plan behind.
    At risk: one overdue milestone, or a KPI a quarter behind. Otherwise on track."""
    overdue = sum(1 for m in milestones if m.is_overdue(today))
    gaps = [g for g in (kpi_gap(k, plan, today) for k in kpis) if g is not None]
    worst = max(gaps, default=0.0)
    if overdue >= 2 or worst >= OFF_TRACK_GAP:
        return PlanHealth.OFF_TRACK
    if overdue == 1 or worst >= AT_RISK_GAP:
        return PlanHealth.AT_RISK
    return PlanHealth.ON_TRACK


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
    def computed_health_label(self) -> str:
        return PlanHealth(self.computed_health).label

    @property
    def health(self) -> str:
        return self.plan.health_override or self.computed_health

    @property
    def health_label(self) -> str:
        return PlanHealth(self.health).label

    @property
    def customer_actions(self) -> list[ActionItem]:
        return [a for a in self.actions if a.side == Side.CUSTOMER]

    @property
    def vendor_actions(self) -> list[ActionItem]:
        return [a for a in self.actions if a.side == Side.VENDOR]

    @property
    def next_milestone(self) -> Milestone | None:
        return next((m for m in self.milestones if m.status not in ("done", "missed")), None)

    @property
    def elapsed_percent(self) -> int:
        return round(100 * share_of_time(self.plan.starts_on, self.plan.ends_on, self.today))


def plan_view(plan: SuccessPlan, *, customer: bool, comments: int = 20) -> PlanView:
    """Load a plan for display in a fixed number of queries, whatever its size."""

    def visible(queryset: QuerySet[Shown]) -> QuerySet[Shown]:
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
        milestones=list(visible(plan.milestones.all())),
        actions=list(visible(plan.actions.select_related("assignee"))),
        comments=list(visible(plan.comments.select_related("author"))[:comments]),
        today=timezone.localdate(),
    )
