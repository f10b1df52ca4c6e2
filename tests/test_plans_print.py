"""Bug 3: the print view is shared with customers. Internal items are left out unless the CSM
asks for them on the print page; then each one is marked "Internal"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from successplans.models import Milestone, SuccessPlan
from tests.conftest import World, client_for
from tests.plan_helpers import TODAY, freeze_today, make_plan

INTERNAL = ["Renewal pricing strategy", "Check discount history", "Pricing call prep"]
SHARED = ["Faster month-end reporting", "Reporting time", "Share finance workflows"]
MARK = '<span class="internal-mark">Internal</span>'


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    freeze_today(time_machine)


def print_url(plan: SuccessPlan, query: str = "") -> str:
    return reverse("plan_print", args=[plan.account.slug, plan.pk]) + query


@pytest.fixture
def plan(world: World) -> SuccessPlan:
    plan = make_plan(world)  # an internal objective and an internal action item
    Milestone.objects.create(plan=plan, title="Pricing call prep", target_date=TODAY, internal=True)
    return plan


def test_by_default_the_csms_print_view_leaves_internal_items_out(
    world: World, plan: SuccessPlan
) -> None:
    response = client_for(world.csm).get(print_url(plan))
    page = response.content.decode()
    assert response.status_code == 200
    assert all(text in page for text in SHARED)
    assert not any(text in page for text in INTERNAL)
    assert MARK not in page
    # The choice, unticked, and what it means.
    checkbox = re.search(r'<input type="checkbox" name="internal" value="1"[^>]*>', page)
    assert checkbox is not None and "checked" not in checkbox.group()
    assert "Include internal items" in page
    assert "can be shared with the customer" in page


def test_included_each_internal_item_is_marked(world: World, plan: SuccessPlan) -> None:
    page = client_for(world.csm).get(print_url(plan, "?internal=1")).content.decode()
    assert all(text in page for text in SHARED + INTERNAL)
    assert page.count(MARK) == len(INTERNAL)
    for text in INTERNAL:  # the mark sits with the item it marks
        assert re.search(rf"{re.escape(text)}\s*{re.escape(MARK)}", page), text
    for text in SHARED:
        assert not re.search(rf"{re.escape(text)}\s*{re.escape(MARK)}", page), text
    assert "Includes internal items: not for the customer." in page
    checkbox = re.search(r'<input type="checkbox" name="internal" value="1"[^>]*>', page)
    assert checkbox is not None and "checked" in checkbox.group()


@pytest.mark.parametrize("persona", ["champion", "executive", "member"])
def test_customers_never_get_internal_items_nor_the_choice(
    world: World, plan: SuccessPlan, persona: str
) -> None:
    page = client_for(world.persona(persona)).get(print_url(plan, "?internal=1")).content.decode()
    assert all(text in page for text in SHARED)
    assert not any(text in page for text in INTERNAL)
    assert "Include internal items" not in page and MARK not in page


def test_a_csm_previewing_as_the_customer_gets_the_customers_print(
    world: World, plan: SuccessPlan
) -> None:
    client = client_for(world.csm)
    client.post(reverse("view_as_start", args=[world.account.slug]), {"role": "champion"})
    page = client.get(print_url(plan, "?internal=1")).content.decode()
    assert "Renewal pricing strategy" not in page and "Include internal items" not in page


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999", "yes"])
def test_a_junk_choice_is_a_422(world: World, plan: SuccessPlan, value: str) -> None:
    response = client_for(world.csm).get(print_url(plan, f"?internal={value}"))
    assert response.status_code == 422
    assert "Choose whether the printed plan includes the internal items." in (
        response.content.decode()
    )
