"""One plan, five surfaces: the champion's plan page, the CSM's plan page, the row of the plans
portfolio, the account page's plan panel and the print view all print the same plan health and
the same KPI value and progress, through the one definition of each figure."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from portal.formatting import number, percent
from successplans.figures import kpi_progress, plan_view
from successplans.models import KPI, Milestone, SuccessPlan
from tests.conftest import World, client_for
from tests.panels import account_page
from tests.plan_helpers import TODAY, freeze_today, make_plan, plan_page

# 48 hours down to 4: at 34.9, 13.1 of 44 hours gone is 29.77% of the way. Rounded half up that
# would read 30%, rounded down (the definition: 100% only for a target met) 29%. The value reads
# "34.9", never "34.90".
VALUE = Decimal("34.90")


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    freeze_today(time_machine)


@pytest.fixture
def plan(world: World) -> SuccessPlan:
    plan = make_plan(world)
    KPI.objects.filter(objective__plan=plan).update(current=VALUE)
    # One overdue shared milestone: at risk. An overdue internal one would not count.
    Milestone.objects.filter(title="Data connected").update(target_date=TODAY.replace(day=1))
    return plan


def health_in(html: str) -> set[str]:
    """The health each surface prints: its badge (pages) or its strong text (the print view),
    not the choices of the CSM's override form."""
    return set(re.findall(r'class="(?:badge badge-health-\w+[^"]*|plan-health)">([^<]+)<', html))


def test_every_surface_prints_the_same_health_and_kpi(world: World, plan: SuccessPlan) -> None:
    kpi = KPI.objects.get(objective__plan=plan)
    progress = percent(kpi_progress(kpi.baseline, kpi.target, kpi.current))
    value = number(VALUE, 2, trim=True)
    assert progress == "29%" and value == "34.9"
    health = plan_view(plan, customer=True).health_label
    assert health == plan_view(plan, customer=False).health_label == "At risk"

    csm = client_for(world.csm)
    surfaces = {
        "the champion's plan page": plan_page(client_for(world.champion), plan),
        "the CSM's plan page": plan_page(csm, plan),
        "the print view": csm.get(reverse("plan_print", args=["acme", plan.pk])),
        "the champion's print view": client_for(world.champion).get(
            reverse("plan_print", args=["acme", plan.pk])
        ),
        "the portfolio": csm.get(reverse("plan_portfolio")),
        "the champion's account page": account_page(client_for(world.champion), "acme"),
        "the CSM's account page": account_page(csm, "acme"),
    }
    for where, response in surfaces.items():
        assert response.status_code == 200, where
        html = response.content.decode()
        if where.endswith("account page"):  # the plan's panel only
            start = html.index('id="plan-panel-title"')
            html = html[start : html.index("</section>", start)]
        if where == "the portfolio":
            html = next(row for row in html.split("<tr") if plan.name in row)
        assert health_in(html) == {health}, where
        assert re.search(rf">\s*{re.escape(value)}\b", html), (where, "value")
        assert "34.90" not in html, where
        assert re.search(rf"\b{progress}", html), (where, "progress")
        assert "30%" not in html, where
