"""The screens of the academy, documents, updates, value, onboarding, success plans and the
shared layout (navigation, error page) in the pseudo-translation (tests/pseudo.py): what a
champion, an executive, a CSM and a CS admin read there went through a catalogue; only data
(names of people, accounts, plans, tasks) is left in English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import User
from onboarding.models import Checklist
from successplans.models import KPI, ActionItem, Milestone, Objective, SuccessPlan
from successplans.services import CUSTOMER_PLACEHOLDER, without_account_names
from tests.conftest import World, client_for
from tests.onboarding_helpers import start
from tests.plan_helpers import make_plan
from tests.pseudo import english_left, english_left_on, pseudo_translation
from updates.figures import role_label

NOW = datetime(2026, 11, 11, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def acme(world: World) -> World:
    """Acme with an onboarding under way and a success plan."""
    start(world, kickoff=date(2026, 11, 2))
    make_plan(world)
    return world


def data(world: World) -> list[str]:
    """People's, accounts', plans' and tasks' names, and avatars' initials: data."""
    people = list(User.objects.all())
    checklists = list(Checklist.objects.all())
    return [
        world.account.name,
        world.other_account.name,
        *(u.display_name for u in people),
        *(u.name for u in people),
        *("".join(word[:1] for word in u.name.split()[:2]).upper() for u in people),
        *SuccessPlan.objects.values_list("name", flat=True),
        *Objective.objects.values_list("title", flat=True),
        *Objective.objects.values_list("why", flat=True),
        *Milestone.objects.values_list("title", flat=True),
        *ActionItem.objects.values_list("title", flat=True),
        *KPI.objects.values_list("name", flat=True),
        *(c.template_name for c in checklists),
        *(t.title for c in checklists for t in c.tasks.all()),
        *(t.phase.name for c in checklists for t in c.tasks.all() if t.phase),
    ]


CUSTOMER_SCREENS = {
    "academy": "/a/acme/academy/",
    "documents": "/a/acme/documents/",
    "updates": "/a/acme/updates/",
    "value": "/a/acme/value/",
    "onboarding": "/a/acme/onboarding/",
    "plans": "",  # the account's one plan (its list leads there)
}
TEAM_SCREENS = {
    "academy": ["/academy/", "/academy/progress/", "/a/acme/academy/progress/"],
    "documents": ["/a/acme/documents/"],
    "updates": ["/updates/", "/updates/new/", "/a/acme/updates/"],
    "value": ["/a/acme/value/", "/a/acme/value/new/"],
    "onboarding": ["/onboarding/", "/console/templates/", "/a/acme/onboarding/"],
    "successplans": ["/plans/", "/console/plan-templates/"],
}


@pytest.mark.parametrize("persona", ["champion", "executive"])
@pytest.mark.parametrize("app", sorted(CUSTOMER_SCREENS))
def test_the_customers_screens_are_all_marked(acme: World, persona: str, app: str) -> None:
    client = client_for(acme.persona(persona))
    path = CUSTOMER_SCREENS[app] or SuccessPlan.objects.get().get_absolute_url()
    assert english_left_on(client, path, allowed=data(acme)) == [], path


@pytest.mark.parametrize("app", sorted(TEAM_SCREENS))
def test_the_cs_teams_screens_are_all_marked(acme: World, app: str) -> None:
    for persona in ("csm", "admin"):
        client = client_for(acme.persona(persona))
        for path in TEAM_SCREENS[app]:
            assert english_left_on(client, path, allowed=data(acme)) == [], (persona, path)


@pytest.mark.parametrize("persona", ["champion", "csm", "admin"])
def test_the_navigation_and_layout_are_all_marked(acme: World, persona: str) -> None:
    client = client_for(acme.persona(persona))
    for part in ("topbar", "subnav", "footer"):
        assert english_left_on(client, "/a/acme/", within=part, allowed=data(acme)) == [], part


def test_the_not_found_page_is_all_marked(acme: World) -> None:
    with pseudo_translation() as language:
        response = client_for(acme.champion).get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    allowed = [settings.SITE_NAME, settings.VENDOR_NAME, *data(acme)]
    assert english_left(response.content.decode(), within=None, allowed=allowed) == []


def test_a_plan_saved_as_a_template_names_the_customer_in_the_csms_language(
    acme: World,
) -> None:
    with pseudo_translation() as language, translation.override(language):
        text = without_account_names("Acme's team reports weekly", acme.account)
        assert text == f"{CUSTOMER_PLACEHOLDER}'s team reports weekly"
        assert text.startswith("⟦the customer⟧")
    assert str(CUSTOMER_PLACEHOLDER) == "the customer"


def test_an_updates_readers_show_their_role_in_the_readers_language() -> None:
    with pseudo_translation() as language, translation.override(language):
        assert role_label("executive") == "⟦Executive⟧"
    assert role_label("executive") == "Executive"
    assert role_label("gone") == "gone"  # a role since removed: as stored
