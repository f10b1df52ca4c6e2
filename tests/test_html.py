"""The pages the shell owns are well-formed HTML.

No validator is installed (the Nu checker, html5lib), so tests.html_helpers reads each page with
Python's HTML parser and reports what the Nu checker found on them before: duplicate ids,
``datetime`` values with microseconds, ``aria-label`` on an element with no role, a block inside a
paragraph, end tags that close the wrong element.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Activity, Invitation
from accounts.services import save_account
from tests.conftest import World, client_for
from tests.html_helpers import html_problems

# (persona, URL name, with the account's slug)
PAGES = [
    ("champion", "account_home", True),
    ("csm", "account_home", True),
    ("csm", "portfolio", False),
    ("admin", "portfolio", False),
    ("champion", "people", True),
    ("csm", "people", True),
    ("champion", "profile", False),
    ("champion", "notifications", False),
    ("admin", "console_settings", False),
    ("admin", "staff", False),
    ("admin", "nightly_runs", False),
    ("csm", "account_edit", True),
    ("csm", "account_create", False),
    ("csm", "account_activity", True),
    ("champion", "mfa_index", False),
    ("champion", "usersessions_list", False),
]


@pytest.fixture
def with_activity(world: World) -> World:
    """An edit on the account, so its timeline prints a <time datetime>."""
    save_account(world.account, acting_user=world.csm, before={"name": "Acme"})
    assert Activity.objects.filter(account=world.account).exists()
    return world


@pytest.mark.parametrize("persona,name,in_account", PAGES)
def test_the_page_is_well_formed(
    with_activity: World, persona: str, name: str, in_account: bool
) -> None:
    world = with_activity
    url = reverse(name, args=[world.account.slug] if in_account else [])
    response = client_for(world.persona(persona)).get(url)
    assert response.status_code == 200, url
    assert html_problems(response.content.decode()) == [], url


def test_the_timeline_prints_its_times_to_the_second(with_activity: World) -> None:
    page = client_for(with_activity.csm).get(
        reverse("account_activity", args=[with_activity.account.slug])
    )
    html = page.content.decode()
    assert '<time class="muted" datetime="' in html
    assert html_problems(html) == []


def test_the_invitation_page_is_well_formed(world: World) -> None:
    invitation = Invitation.objects.create(
        account=world.account, email="new@customer.example", role="member", invited_by=world.csm
    )
    response = client_for(None).get(reverse("accept_invitation", args=[invitation.token]))
    assert html_problems(response.content.decode()) == []


@pytest.mark.parametrize(
    "html,problem",
    [
        ('<div id="a"></div><p id="a"></p>', 'id="a" is used 2 times'),
        ('<time datetime="2026-01-02T03:04:05.123456+00:00">x</time>', "datetime="),
        ('<span aria-label="Score 9">9</span>', "aria-label but no role"),
        ("<p><ul><li>x</li></ul></p>", "<ul> inside a <p>"),
        ("<div><span></div></span>", "</div> closes <span>"),
    ],
)
def test_the_check_finds_what_the_validator_found(html: str, problem: str) -> None:
    assert any(problem in found for found in html_problems(html)), html_problems(html)


def test_the_check_lets_good_html_through(db: None) -> None:
    good = (
        '<ul><li>a<li>b</ul><time datetime="2026-01-02T03:04:05+00:00">x</time>'
        '<span role="img" aria-label="Score 9">9</span><img src="x" alt=""><br>'
    )
    assert html_problems(good) == []
