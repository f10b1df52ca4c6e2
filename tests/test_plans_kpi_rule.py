"""Bug 28: a KPI's definition (baseline, target...) is the vendor's. Customers who work the plan
update its current value; the champion changes its definition only where the CSM allows it on
the plan. One rule (successplans.services.may_define_kpi); the pages offer what it allows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from accounts.access import AccountAccess
from accounts.models import Activity
from successplans.models import KPI, SuccessPlan
from successplans.services import may_define_kpi
from tests.conftest import World, client_for
from tests.plan_helpers import freeze_today, make_plan, plan_page, plan_rows


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    freeze_today(time_machine)


def kpi_of(plan: SuccessPlan) -> KPI:
    return KPI.objects.get(objective__plan=plan)


def edit_url(plan: SuccessPlan, kpi: KPI) -> str:
    return reverse("plan_item_edit", args=[plan.account.slug, plan.pk, "kpi", kpi.pk])


def definition(kpi: KPI, **changes: str) -> dict[str, Any]:
    return {"name": kpi.name, "unit": kpi.unit, "baseline": "48", "target": "4",
            "version": kpi.version, **changes}  # fmt: skip


@pytest.mark.parametrize(
    "role,allowed,expected",
    [
        ("csm", False, True),
        ("admin", False, True),
        ("champion", False, False),
        ("champion", True, True),
        ("executive", True, False),
        ("member", True, False),
    ],
)
def test_the_rule(world: World, role: str, allowed: bool, expected: bool) -> None:
    plan = make_plan(world)
    plan.champion_edits_kpis = allowed
    assert may_define_kpi(AccountAccess(account=world.account, role=role), plan) is expected


def test_a_csm_previewing_as_the_champion_changes_nothing(world: World) -> None:
    plan = make_plan(world)
    plan.champion_edits_kpis = True
    preview = AccountAccess(account=world.account, role="champion", preview=True)
    assert may_define_kpi(preview, plan) is False


def test_the_champion_cannot_change_the_definition_through_the_edit_url(world: World) -> None:
    plan = make_plan(world)
    kpi = kpi_of(plan)
    client = client_for(world.champion)
    before = plan_rows()
    assert client.get(edit_url(plan, kpi)).status_code == 403
    response = client.post(edit_url(plan, kpi), definition(kpi, baseline="10", target="11"))
    assert response.status_code == 403
    assert "The CSM decides what this KPI measures" in response.content.decode()
    response = client.post(
        reverse("plan_item_add", args=["acme", plan.pk, "kpi"]),
        {"objective": kpi.objective_id, "name": "Easy win", "baseline": "0", "target": "1"},
    )
    assert response.status_code == 403
    assert plan_rows() == before


def test_in_place_the_refusal_is_a_422_the_page_shows(world: World) -> None:
    plan = make_plan(world)
    kpi = kpi_of(plan)
    before = plan_rows()
    response = client_for(world.champion).post(
        edit_url(plan, kpi), definition(kpi, target="47"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and response["HX-Retarget"] == "#notice"
    assert plan_rows() == before


def test_the_champion_still_updates_the_current_value(world: World) -> None:
    plan = make_plan(world)
    kpi = kpi_of(plan)
    response = client_for(world.champion).post(
        reverse("plan_kpi_value", args=["acme", plan.pk, kpi.pk]),
        {"current": "30", "version": kpi.version},
    )
    assert response.status_code == 302
    assert kpi_of(plan).current == Decimal(30)
    assert (kpi_of(plan).baseline, kpi_of(plan).target) == (Decimal(48), Decimal(4))


def test_the_pages_offer_the_champion_what_the_rule_allows(world: World) -> None:
    plan = make_plan(world)
    kpi = kpi_of(plan)
    champion, csm = client_for(world.champion), client_for(world.csm)
    edit, add = edit_url(plan, kpi), reverse("plan_item_add", args=["acme", plan.pk, "kpi"])
    page = plan_page(champion, plan).content.decode()
    assert f'href="{edit}"' not in page and f'action="{add}"' not in page
    assert f'id="kpi-value-{kpi.pk}"' in page  # the current value: theirs to update
    assert f'href="{edit}"' in plan_page(csm, plan).content.decode()

    # The CSM lets the champion change the definitions of this plan's KPIs.
    response = csm.post(
        reverse("plan_settings", args=["acme", plan.pk]), {"champion_edits_kpis": "on"}
    )
    assert response.status_code == 302
    assert SuccessPlan.objects.get(pk=plan.pk).champion_edits_kpis
    assert Activity.objects.filter(verb="let the champion change KPI definitions").exists()
    page = plan_page(champion, plan).content.decode()
    assert f'href="{edit}"' in page and f'action="{add}"' in page
    response = champion.post(edit, definition(kpi, target="2"))
    assert response.status_code == 302
    assert kpi_of(plan).target == Decimal(2)

    # And takes it back.
    csm.post(reverse("plan_settings", args=["acme", plan.pk]), {})
    assert not SuccessPlan.objects.get(pk=plan.pk).champion_edits_kpis
    before = plan_rows()
    assert champion.post(edit, definition(kpi_of(plan), target="3")).status_code == 403
    assert plan_rows() == before


@pytest.mark.parametrize("persona", ["champion", "executive", "member", "other_csm"])
def test_only_vendor_staff_of_the_account_set_who_defines_kpis(world: World, persona: str) -> None:
    plan = make_plan(world)
    before = plan_rows()
    response = client_for(world.persona(persona)).post(
        reverse("plan_settings", args=["acme", plan.pk]), {"champion_edits_kpis": "on"}
    )
    assert response.status_code in (403, 404)
    assert plan_rows() == before
