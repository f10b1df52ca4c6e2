"""The plan figures, each defined once in successplans/figures.py: KPI progress and whether its
target is met, the share of time gone, the plan's health, the lead KPI and the sparkline."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from successplans.figures import (
    AT_RISK_GAP,
    OFF_TRACK_GAP,
    computed_health,
    kpi_met,
    kpi_progress,
    lead_kpi,
    plan_health,
    plan_health_on,
    plan_view,
    sparkline,
    time_gone,
)
from successplans.models import KPI, Milestone, Objective
from tests.conftest import World
from tests.plan_helpers import TODAY, freeze_today, make_plan

ROOT = Path(__file__).resolve().parent.parent
D = Decimal


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    freeze_today(time_machine)


@pytest.mark.parametrize(
    "baseline,target,value,progress,met",
    [
        # A figure that should rise: 55% of store managers to 90%.
        ("55", "90", None, None, False),
        ("55", "90", "55", 0, False),
        ("55", "90", "40", 0, False),  # worse than the baseline
        ("55", "90", "72.5", 50, False),
        ("55", "90", "89.99", 99, False),  # 99.97%: rounded down, never "100%" short of it
        ("55", "90", "90", 100, True),
        ("55", "90", "95", 100, True),  # beyond the target
        # A figure that should fall: 48 hours down to 8.
        ("48", "8", "35", 32, False),  # 32.5%: rounded down
        ("48", "8", "8.01", 99, False),
        ("48", "8", "8", 100, True),
        ("48", "8", "2", 100, True),
        ("48", "8", "60", 0, False),
        # Below zero: a net figure from -20 up to +10.
        ("-20", "10", "-5", 50, False),
    ],
)
def test_kpi_progress_and_met(
    baseline: str, target: str, value: str | None, progress: int | None, met: bool
) -> None:
    number = None if value is None else D(value)
    assert kpi_progress(D(baseline), D(target), number) == progress
    assert kpi_met(D(baseline), D(target), number) is met


def test_100_percent_is_printed_only_when_the_target_is_met() -> None:
    for hundredths in range(0, 4001):  # 48.00 down to 8.00, every cent of the way
        value = D(48) - D(hundredths) / 100
        assert (kpi_progress(D(48), D(8), value) == 100) is kpi_met(D(48), D(8), value), value


def test_the_model_property_is_the_same_rule(world: World) -> None:
    k = KPI(name="Reporting", baseline=D(48), target=D(8), current=D("8.01"))
    assert (k.progress, k.met) == (99, False)
    k.current = D(8)
    assert (k.progress, k.met) == (100, True)


@pytest.mark.parametrize(
    "today,expected",
    [
        # 1 Jan 2027 to 31 Dec 2027: 364 days.
        (date(2026, 12, 31), 0),  # before the start
        (date(2027, 1, 1), 0),
        (date(2027, 1, 2), 0),  # 1 of 364 days: 0.27%, rounded down
        (date(2027, 7, 1), 49),  # 181 of 364: 49.7%, rounded down
        (date(2027, 7, 2), 50),  # 182 of 364
        (date(2027, 12, 30), 99),  # 363 of 364: not yet over
        (date(2027, 12, 31), 100),
        (date(2028, 6, 1), 100),  # after the end
    ],
)
def test_time_gone(today: date, expected: int) -> None:
    assert time_gone(date(2027, 1, 1), date(2027, 12, 31), today) == expected


def test_time_gone_of_a_period_that_ends_when_it_starts_is_all_of_it() -> None:
    assert time_gone(date(2027, 1, 1), date(2027, 1, 1), date(2026, 1, 1)) == 100


class TestHealth:
    def test_the_gaps_are_in_the_printed_percentage_points(self, world: World) -> None:
        # 40 of 100 days gone ("40% of the time gone"); the KPI falls from 48 to 4 hours.
        plan = make_plan(world, started_days_ago=40, length_days=100)
        milestones = list(plan.milestones.all())
        kpis = list(KPI.objects.filter(objective__plan=plan).select_related("objective"))
        for current, progress, health in [
            ("30.40", 40, "on_track"),
            ("40.96", 16, "on_track"),  # 24 points behind
            ("41.40", 15, "at_risk"),  # 25 behind: AT_RISK_GAP
            ("48.00", 0, "at_risk"),
        ]:
            kpis[0].current = D(current)
            assert kpis[0].progress == progress
            assert computed_health(plan, milestones, kpis, TODAY) == health, current
        assert (AT_RISK_GAP, OFF_TRACK_GAP) == (25, 50)

    def test_internal_items_do_not_move_the_health(self, world: World) -> None:
        plan = make_plan(world, started_days_ago=50, length_days=100)
        internal = Objective.objects.get(internal=True)
        KPI.objects.create(objective=internal, name="Upsell", baseline=0, target=10, current=0)
        Milestone.objects.create(
            plan=plan, title="Pricing decided", target_date=TODAY - timedelta(days=3), internal=True
        )
        Milestone.objects.create(
            plan=plan, title="Pricing signed", target_date=TODAY - timedelta(days=2), internal=True
        )
        csm, champion = plan_view(plan, customer=False), plan_view(plan, customer=True)
        assert (csm.health, champion.health) == ("on_track", "on_track")
        assert plan_health_on(plan, TODAY) == "on_track"
        # The same milestone, shared, counts.
        Milestone.objects.filter(title="Pricing decided").update(internal=False)
        assert plan_health_on(plan, TODAY) == "at_risk"
        assert plan_view(plan, customer=True).health == plan_view(plan, customer=False).health

    def test_the_csms_judgement_wins_over_the_figures(self, world: World) -> None:
        plan = make_plan(world)
        plan.health_override = "off_track"
        view = plan_view(plan, customer=True)
        assert view.computed_health == "on_track"
        assert view.health == plan_health(plan, view.milestones, view.kpis, TODAY) == "off_track"
        assert plan_health_on(plan, TODAY) == "off_track"


def test_the_lead_kpi_is_the_first_shared_one(world: World) -> None:
    plan = make_plan(world)
    internal = Objective.objects.get(internal=True)
    Objective.objects.filter(pk=internal.pk).update(position=0)
    Objective.objects.filter(internal=False).update(position=1)
    KPI.objects.create(objective=internal, name="Upsell", baseline=0, target=10)
    for customer in (True, False):
        lead = lead_kpi(plan_view(plan, customer=customer).objectives)
        assert lead is not None and lead.name == "Reporting time"


def test_a_sparkline_needs_two_values_and_spans_the_box() -> None:
    assert sparkline([D(3)]) == ""
    points = sparkline([D(10), D(20), D(15)], width=96, height=24)
    assert points == "0.0,22.0 48.0,2.0 96.0,12.0"


def test_there_is_one_sparkline_and_one_stale_edit_for_plans() -> None:
    sparklines = [
        path.relative_to(ROOT).as_posix()
        for folder in ("accounts", "insights", "onboarding", "portal", "reports", "successplans",
                       "surveys")
        for path in (ROOT / folder).rglob("*.py")
        if "def sparkline" in path.read_text()
    ]  # fmt: skip
    assert sparklines == ["successplans/figures.py"]
    text = "\n".join(p.read_text() for p in (ROOT / "successplans").rglob("*.py"))
    assert "class StaleEdit" not in text and "from portal.errors import StaleEdit" in text


def test_a_kpi_value_prints_with_its_unit() -> None:
    from portal.templatetags.figures import measure
    from successplans.templatetags.plans import input_decimal

    assert measure(D("35.00"), "hours") == "35 hours"
    assert measure(D("83.50"), "%") == "83.5%"
    assert measure(D("1234.5"), "") == "1,234.5"
    assert measure(D("198000.00"), "EUR") == "€198,000"
    assert measure(None, "hours") is None
    assert (input_decimal(D("1234.50")), input_decimal(D("100.00")), input_decimal(None)) == (
        "1234.5",
        "100",
        "",
    )
