"""Bug 27: a plan template holds no account's data. Every CSM opens every template, so saving a
plan as a template asks for a name, shows what will be copied, and leaves out internal items and
what is particular to the account unless the CSM ticks them, one by one."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Activity
from successplans.models import Milestone, Objective, PlanTemplate, SuccessPlan
from successplans.services import account_names, without_account_names
from tests.conftest import World, client_for
from tests.factories import AccountFactory
from tests.plan_helpers import freeze_today, make_plan, plan_page, plan_rows

# Texts of the account that no other portfolio may read through a template.
SECRETS = [
    "Acme",
    "Renewal pricing strategy",  # an internal objective
    "Check discount history",  # an internal action item
    "Finance waits two days",  # why an objective matters to this customer
    "Acme's board wants the pack on day 1",
]


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    freeze_today(time_machine)


def acme_plan(world: World) -> SuccessPlan:
    """make_plan's plan, with the account's name in a title and in a "why"."""
    plan = make_plan(world)
    Objective.objects.create(
        plan=plan,
        title="Acme board pack from the portal",
        why="Acme's board wants the pack on day 1",
        position=2,
    )
    Milestone.objects.filter(title="Data connected").update(title="ACME data connected")
    return plan


def save_url(plan: SuccessPlan) -> str:
    return reverse("plan_save_as_template", args=[plan.account.slug, plan.pk])


def keys(plan: SuccessPlan, *titles: str) -> list[str]:
    found = []
    for kind, model in (("objective", plan.objectives), ("milestone", plan.milestones),
                        ("action", plan.actions)):  # fmt: skip
        found += [
            f"{kind}:{pk}" for pk in model.filter(title__in=titles).values_list("pk", flat=True)
        ]
    assert len(found) == len(titles), (titles, found)
    return found


def test_the_page_asks_for_a_name_and_shows_what_will_be_copied(world: World) -> None:
    plan = acme_plan(world)
    response = client_for(world.csm).get(save_url(plan))
    assert response.status_code == 200
    page = response.content.decode()
    name_input = re.search(r'<input[^>]*name="name"[^>]*>', page)
    assert name_input is not None and "value=" not in name_input.group()  # no default name
    form = response.context["form"]
    rows = {row["c"].title: row for row in form.rows()}
    assert not rows["Renewal pricing strategy"]["copy"]  # internal: left out
    assert not rows["Check discount history"]["copy"]
    assert rows["Faster month-end reporting"]["copy"]
    assert rows["Acme board pack from the portal"]["c"].title_as_copied == (
        "the customer board pack from the portal"
    )
    assert "Copied as “the customer board pack from the portal”" in page
    assert "Internal" in page


def test_by_default_nothing_of_the_account_is_copied(world: World) -> None:
    plan = acme_plan(world)
    client = client_for(world.csm)
    defaults = client.get(save_url(plan)).context["form"]["copy"].value()
    response = client.post(save_url(plan), {"name": "Finance reporting plan", "copy": defaults})
    template = PlanTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_template", args=[template.pk])
    items = list(template.items.values_list("kind", "title", "detail", "internal"))
    assert sorted(items) == sorted(
        [
            ("objective", "Faster month-end reporting", "", False),
            ("objective", "the customer board pack from the portal", "", False),
            ("milestone", "the customer data connected", "", False),
            ("milestone", "Vendor QBR prep", "", False),
            ("action", "Share finance workflows", "", False),
            ("action", "Build the report template", "", False),
        ]
    )
    entry = Activity.objects.get(verb="saved a plan as a template")
    assert entry.account == world.account and entry.internal


def test_the_csm_keeps_internal_items_and_text_by_ticking_each(world: World) -> None:
    plan = acme_plan(world)
    copy = keys(plan, "Renewal pricing strategy", "Acme board pack from the portal")
    keep = keys(plan, "Acme board pack from the portal")
    response = client_for(world.csm).post(
        save_url(plan), {"name": "Expansion plan", "copy": copy, "keep_as_written": keep}
    )
    assert response.status_code == 302
    items = set(PlanTemplate.objects.get().items.values_list("title", "detail", "internal"))
    assert items == {
        ("Renewal pricing strategy", "", True),
        ("Acme board pack from the portal", "Acme's board wants the pack on day 1", False),
    }


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Acme renewal plan"}, "leave the account&#x27;s name out"),
        ({"name": "Plan for ACME"}, "leave the account&#x27;s name out"),
        ({"name": "Fine", "copy": ["objective:abc"]}, "Select a valid choice."),
        ({"name": "Fine", "keep_as_written": ["action:99999999999"]}, "Select a valid choice."),
    ],
)
def test_a_bad_request_is_a_422_and_saves_nothing(
    world: World, data: dict[str, Any], message: str
) -> None:
    plan = acme_plan(world)
    before = plan_rows()
    response = client_for(world.csm).post(save_url(plan), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert plan_rows() == before


def test_the_account_is_known_by_its_full_name_and_its_distinctive_first_word() -> None:
    account = AccountFactory.build(name="Acme Logistics")
    assert account_names(account) == ["Acme Logistics", "Acme"]
    assert without_account_names("Acme Logistics' and acme's goals", account) == (
        "the customer' and the customer's goals"
    )
    assert without_account_names("Acmeville stays", account) == "Acmeville stays"
    generic = AccountFactory.build(name="Global Health Partners")
    assert account_names(generic) == ["Global Health Partners"]  # "Global" names no one


def test_another_portfolio_cannot_reach_the_account_through_any_template_page(
    world: World,
) -> None:
    """The CSM of another portfolio opens the library, every template, and the new-plan form's
    template picker: none shows the account's name or its own texts."""
    plan = acme_plan(world)
    client = client_for(world.csm)
    defaults = client.get(save_url(plan)).context["form"]["copy"].value()
    client.post(save_url(plan), {"name": "Finance reporting plan", "copy": defaults})
    template = PlanTemplate.objects.get()
    other = client_for(world.other_csm)
    pages = [
        reverse("plan_templates"),
        reverse("plan_template", args=[template.pk]),
        reverse("plans", args=[world.other_account.slug]),  # the new-plan form and its picker
    ]
    for path in pages:
        response = other.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        for secret in SECRETS:
            assert secret.lower() not in page.lower(), (path, secret)
    picker = other.get(pages[2]).context["form"]["template"]
    assert "Finance reporting plan" in str(picker)
    # A plan started from it in another account carries nothing of Acme either.
    response = other.post(
        reverse("plan_create", args=[world.other_account.slug]),
        {"name": "Bluth plan", "starts_on": "2026-12-01", "ends_on": "2027-11-30",
         "template": template.pk},
    )  # fmt: skip
    assert response.status_code == 302
    copied = SuccessPlan.objects.get(name="Bluth plan")
    page = plan_page(other, copied).content.decode()
    for secret in SECRETS:
        assert secret.lower() not in page.lower(), secret


def test_the_plan_page_links_to_the_page_not_a_one_click_save(world: World) -> None:
    plan = make_plan(world)
    page = plan_page(client_for(world.csm), plan).content.decode()
    assert f'<a class="button button-small button-quiet" href="{save_url(plan)}">' in page
    assert f'action="{save_url(plan)}"' not in page
