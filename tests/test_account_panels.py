"""The account page's shell and its lazily loaded panels: what each runs, that the panels show
what the page showed inline, and the link without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity, CustomerRole, Invitation
from accounts.panels import panel_slots, render_panels
from tests.conftest import World, client_for
from tests.factories import CSMTaskFactory, MembershipFactory
from tests.panels import account_page, panel_urls
from tests.queries import assert_same_queries, page_queries

# The most queries the account page's shell runs for each role (the aim: 12 at most): the
# session, the user, the account (and the customer's membership), the team with its size,
# the bell; for customers the account switcher and the visit counted; for vendor staff the
# pending invitations and the recent activity.
# The bell and, for customers, the unread product updates in the navigation: one query
# (portal.layout.badges); a customer's membership comes with the account.
SHELL_QUERIES = {"champion": 7, "executive": 7, "member": 7, "csm": 7, "admin": 7}
PANEL_MAX_QUERIES = 12
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def grow(world: World) -> None:
    """More of everything the shell and the panels list."""
    for i in range(12):
        MembershipFactory.create(account=world.account, role=CustomerRole.MEMBER)
        Activity.objects.create(account=world.account, actor=world.csm, verb=f"did thing {i}")
        CSMTaskFactory.create(
            account=world.account,
            assignee=world.csm,
            title=f"Task {i}",
            due_on=timezone.localdate() + timedelta(days=i - 3),
        )
    for i in range(3):
        Invitation.objects.create(
            account=world.account,
            email=f"invitee-{i}@customer.example",
            role=CustomerRole.MEMBER,
            invited_by=world.csm,
        )


@pytest.mark.parametrize("persona", list(SHELL_QUERIES))
def test_the_shell_runs_few_queries_and_as_many_with_more_data(world: World, persona: str) -> None:
    client = client_for(world.persona(persona))
    url = reverse("account_home", args=[world.account.slug])
    few = page_queries(client, url)
    assert few <= SHELL_QUERIES[persona], f"the {persona}'s account page runs {few} queries"
    grow(world)
    assert_same_queries(few, page_queries(client, url), f"the {persona}'s account page")


@pytest.mark.parametrize("persona", list(SHELL_QUERIES))
def test_each_panel_runs_few_queries_and_as_many_with_more_data(world: World, persona: str) -> None:
    CSMTaskFactory.create(account=world.account, assignee=world.csm, title="The first task")
    client = client_for(world.persona(persona))
    urls = panel_urls(
        client.get(reverse("account_home", args=[world.account.slug])).content.decode()
    )
    assert urls, "the page offers no panel"
    few = {url: page_queries(client, url) for url in urls}
    for url, count in few.items():
        assert count <= PANEL_MAX_QUERIES, f"{url} runs {count} queries as the {persona}"
    grow(world)
    for url, count in few.items():
        assert_same_queries(count, page_queries(client, url), f"{url} as the {persona}")


@pytest.mark.parametrize("persona", list(SHELL_QUERIES))
def test_the_panels_loaded_one_by_one_show_what_the_page_showed_inline(
    world: World, persona: str
) -> None:
    grow(world)
    client = client_for(world.persona(persona))
    shell = client.get(reverse("account_home", args=[world.account.slug]))
    request: Any = shell.wsgi_request
    access = request.account_access
    # Executives land on their own home, whose panels are the "executive-home" page's.
    page = "executive-home" if access.can("account.executive_home") else "account"
    inline = CSRF.sub("", "".join(render_panels(request, access, page)))  # the page before
    loaded = "".join(
        client.get(url, HTTP_HX_REQUEST="true").content.decode()
        for url in panel_urls(shell.content.decode())
    )
    assert CSRF.sub("", loaded) == inline
    assert [slot.name for slot in panel_slots(access, page)] == [
        url.rstrip("/").rsplit("/", 1)[-1] for url in panel_urls(shell.content.decode())
    ]


def test_the_shell_says_what_each_placeholder_loads_with_a_link_without_javascript(
    world: World,
) -> None:
    html = client_for(world.champion).get(reverse("account_home", args=["acme"])).content.decode()
    onboarding = reverse("account_panel", args=["acme", "onboarding"])
    assert f'hx-get="{onboarding}" hx-trigger="load"' in html
    assert "Onboarding: loading…" in html
    assert f'<noscript><p><a href="{onboarding}">Onboarding</a></p></noscript>' in html
    assert "min-height: 14rem" in html  # about the panel's own height: the page does not jump


def test_a_panel_without_javascript_is_a_page_around_it(world: World) -> None:
    client = client_for(world.csm)
    CSMTaskFactory.create(account=world.account, assignee=world.csm, title="Call Dana back")
    page = client.get(reverse("account_panel", args=["acme", "tasks"]))
    html = page.content.decode()
    assert page.status_code == 200 and "<!doctype html>" in html
    assert "Call Dana back" in html and reverse("account_home", args=["acme"]) in html
    alone = client.get(reverse("account_panel", args=["acme", "tasks"]), HTTP_HX_REQUEST="true")
    assert "<!doctype html>" not in alone.content.decode()
    assert "Call Dana back" in alone.content.decode()


def test_a_panel_with_nothing_to_show_answers_nothing_so_its_placeholder_goes(
    world: World,
) -> None:
    # No survey is waiting for the champion: the prompt's placeholder is swapped for nothing.
    client = client_for(world.champion)
    url = reverse("account_panel", args=["acme", "survey-prompt"])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""


def test_the_page_with_its_panels_is_the_whole_account_page(world: World) -> None:
    CSMTaskFactory.create(account=world.account, assignee=world.csm, title="Call Dana back")
    page = account_page(client_for(world.csm), "acme").content.decode()
    assert "panel-slot" not in page and "Call Dana back" in page


def test_a_panel_sits_on_the_pages_it_names_and_loads_from_one_address(world: World) -> None:
    from accounts import panels

    @panels.register_panel(order=99, name="probe", title="Probe", pages=("360",))
    def probe_panel(request: Any, access: Any) -> panels.Panel:
        return panels.Panel("accounts/account_panel.html", {})

    try:
        client = client_for(world.csm)
        home = client.get(reverse("account_home", args=[world.account.slug])).content.decode()
        page_360 = client.get(reverse("account_360", args=[world.account.slug])).content.decode()
        probe_url = reverse("account_panel", args=[world.account.slug, "probe"])
        assert probe_url not in home
        assert probe_url in page_360
    finally:
        del panels._PANELS["probe"]
    with pytest.raises(ValueError, match="No such page"):
        panels.register_panel(pages=("nowhere",))
