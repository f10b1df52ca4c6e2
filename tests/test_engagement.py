"""Portal engagement: each customer's days with a visit, pages and log-ins per account, recorded
for the customer's own people only, and shown to the CSM (People, 360°) and to the person
themselves (profile)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts import figures
from accounts.models import CustomerRole, PortalVisit
from tests.conftest import World, client_for
from tests.factories import PASSWORD, MembershipFactory, PortalVisitFactory
from tests.insights_helpers import get_360
from tests.panels import account_page
from tests.queries import assert_same_queries, counting, page_queries

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def monday(time_machine: Any) -> Any:
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


def visits(world: World) -> list[tuple[str, date, int, int]]:
    return [
        (v.user.email, v.day, v.page_views, v.logins)
        for v in PortalVisit.objects.filter(account=world.account).select_related("user")
    ]


def home(world: World) -> str:
    return reverse("account_home", args=[world.account.slug])


# Recording --------------------------------------------------------------------------------------


def test_a_log_in_is_recorded_on_the_person_s_account(world: World, monday: Any) -> None:
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": world.champion.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    row = PortalVisit.objects.get(user=world.champion)
    assert (row.account, row.day, row.logins, row.page_views) == (
        world.account,
        MONDAY.date(),
        1,
        0,
    )


def test_a_vendor_log_in_is_not_recorded(world: World, monday: Any) -> None:
    Client().post(reverse("account_login"), {"login": world.csm.email, "password": PASSWORD})
    assert not PortalVisit.objects.exists()


def test_page_views_are_counted_per_person_and_day(world: World, monday: Any) -> None:
    client = client_for(world.member)
    PortalVisit.objects.all().delete()  # force_login counted a log-in: keep to pages here
    for _ in range(3):
        assert client.get(home(world)).status_code == 200
    client.get(reverse("people", args=[world.account.slug]))
    monday.move_to(MONDAY + timedelta(days=1), tick=False)
    client.get(home(world))
    assert sorted(visits(world)) == [
        (world.member.email, MONDAY.date(), 4, 0),
        (world.member.email, MONDAY.date() + timedelta(days=1), 1, 0),
    ]


def test_vendor_staff_are_never_recorded(world: World) -> None:
    for user in (world.csm, world.admin):
        assert client_for(user).get(home(world)).status_code == 200
    assert not PortalVisit.objects.exists()


def test_a_csm_s_view_as_customer_preview_never_counts(world: World) -> None:
    client = client_for(world.csm)
    client.post(reverse("view_as_start", args=[world.account.slug]), {"role": "champion"})
    response = client.get(home(world))
    assert b"would see it" in response.content
    assert not PortalVisit.objects.exists()


def test_head_htmx_refusals_and_pages_outside_an_account_do_not_count(world: World) -> None:
    client = client_for(world.champion)
    PortalVisit.objects.all().delete()
    client.head(home(world))
    client.get(home(world), headers={"HX-Request": "true"})
    account_page(client, world.other_account.slug)  # 404
    client.get(reverse("account_edit", args=[world.account.slug]))  # 403
    client.get(reverse("profile"))
    assert not PortalVisit.objects.exists()


def test_a_page_view_costs_one_query_and_other_pages_none(world: World) -> None:
    client = client_for(world.champion)
    url = home(world)
    client.get(url)
    with counting() as counted:
        client.get(url)
    upserts = [sql for sql in counted.sql if "accounts_portalvisit" in sql]
    assert len(upserts) == 1 and upserts[0].lstrip().upper().startswith("INSERT")
    # The first page of the day is the same single statement.
    PortalVisit.objects.all().delete()
    with counting() as counted:
        client.get(url)
    assert len([sql for sql in counted.sql if "accounts_portalvisit" in sql]) == 1
    # A page outside any account touches no visit row and adds nothing.
    with counting() as counted:
        client.get(reverse("notifications"))
    assert not [sql for sql in counted.sql if "portalvisit" in sql]
    # The same account page as the CSM: no visit query at all.
    csm = client_for(world.csm)
    csm.get(url)
    with counting() as counted:
        csm.get(url)
    assert not [sql for sql in counted.sql if "portalvisit" in sql]


def test_recording_a_page_writes_no_session(world: World) -> None:
    client = Client()
    client.post(reverse("account_login"), {"login": world.member.email, "password": PASSWORD})
    client.get(home(world))
    with counting() as counted:
        response = client.get(home(world))
    assert "sessionid" not in response.cookies
    writes = [s for s in counted.sql if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(writes) == 1 and "accounts_portalvisit" in writes[0]


# Figures ----------------------------------------------------------------------------------------


def test_person_figures_count_days_with_a_visit_in_30_and_90_days(
    world: World, monday: Any
) -> None:
    today = MONDAY.date()
    for days_ago, pages in [(0, 4), (1, 2), (29, 1), (30, 5), (89, 1), (90, 7)]:
        PortalVisitFactory.create(
            user=world.member,
            account=world.account,
            day=today - timedelta(days=days_ago),
            page_views=pages,
            logins=1,
            last_seen_at=MONDAY - timedelta(days=days_ago),
        )
    PortalVisitFactory.create(user=world.other_champion, account=world.other_account)
    seen = figures.people_engagement(world.account)
    assert set(seen) == {world.member.pk}
    member = seen[world.member.pk]
    assert member.last_seen == MONDAY
    assert (member.visits_30, member.visits_90) == (3, 5)
    assert (member.page_views_30, member.page_views_90) == (7, 13)
    assert member.logins_30 == 3
    assert figures.active_people(world.account) == 1


def test_an_account_is_dark_for_the_days_since_anyone_s_last_visit(
    world: World, monday: Any
) -> None:
    assert figures.days_dark(world.account) is None
    PortalVisitFactory.create(
        user=world.member, account=world.account, day=MONDAY.date() - timedelta(days=20)
    )
    PortalVisitFactory.create(
        user=world.champion, account=world.account, day=MONDAY.date() - timedelta(days=12)
    )
    assert figures.days_dark(world.account) == 12
    assert figures.active_people(world.account) == 2
    monday.move_to(MONDAY + timedelta(days=30), tick=False)
    assert figures.days_dark(world.account) == 42
    assert figures.active_people(world.account) == 0


def test_the_figures_cost_one_query_however_many_people(world: World, monday: Any) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            user = MembershipFactory.create(account=world.account).user
            PortalVisitFactory.create(user=user, account=world.account)

    def cost() -> list[int]:
        counts = []
        for figure in (figures.people_engagement, figures.days_dark, figures.active_people):
            with counting() as counted:
                figure(world.account)
            counts.append(len(counted))
        return counts

    add(3)
    few = cost()
    add(30)
    assert few == cost() == [1, 1, 1]


# Shown to the CSM -------------------------------------------------------------------------------


def test_the_csm_sees_last_seen_and_visits_on_the_people_page(world: World, monday: Any) -> None:
    PortalVisitFactory.create(
        user=world.member, account=world.account, last_seen_at=MONDAY - timedelta(hours=3)
    )
    PortalVisitFactory.create(
        user=world.member,
        account=world.account,
        day=MONDAY.date() - timedelta(days=3),
        last_seen_at=MONDAY - timedelta(days=3),
    )
    page = client_for(world.csm).get(reverse("people", args=[world.account.slug]))
    html = page.content.decode()
    assert "Last seen" in html and "2 visits in 30 days" in html
    assert "3\xa0hours ago" in html
    assert "never" in html  # the champion and the executive


@pytest.mark.parametrize("persona", ["champion", "member", "executive"])
def test_customers_never_see_anyone_s_engagement_on_the_people_page(
    world: World, persona: str
) -> None:
    PortalVisitFactory.create(user=world.member, account=world.account)
    html = client_for(getattr(world, persona)).get(reverse("people", args=[world.account.slug]))
    assert "Last seen" not in html.content.decode()
    assert "visits in 30 days" not in html.content.decode()


def test_a_preview_of_the_people_page_hides_engagement(world: World) -> None:
    client = client_for(world.csm)
    client.post(reverse("view_as_start", args=[world.account.slug]), {"role": "champion"})
    html = client.get(reverse("people", args=[world.account.slug])).content.decode()
    assert "Last seen" not in html


@pytest.mark.parametrize("persona", ["champion", "csm"])
def test_the_people_page_costs_the_same_for_3_and_33_people_with_visits(
    world: World, persona: str
) -> None:
    client = client_for(getattr(world, persona))
    url = reverse("people", args=[world.account.slug])
    three = page_queries(client, url)
    for _ in range(30):
        user = MembershipFactory.create(account=world.account).user
        PortalVisitFactory.create(user=user, account=world.account)
    assert_same_queries(three, page_queries(client, url), f"the People page as {persona}")


def test_the_360_page_shows_how_long_the_account_has_been_dark(world: World, monday: Any) -> None:
    url = reverse("account_360", args=[world.account.slug])
    client = client_for(world.csm)
    assert "has opened the portal yet" in get_360(client, url).content.decode()
    PortalVisitFactory.create(
        user=world.member, account=world.account, day=MONDAY.date() - timedelta(days=9)
    )
    html = get_360(client, url).content.decode()
    assert "Dark for 9 days" in html
    assert "1 person active in 30 days" in html
    PortalVisitFactory.create(user=world.champion, account=world.account)
    html = get_360(client, url).content.decode()
    assert "Last visit today" in html and "2 people active in 30 days" in html


# Shown to the person ----------------------------------------------------------------------------


def test_the_profile_shows_the_person_s_own_record_only(world: World, monday: Any) -> None:
    yesterday = MONDAY.date() - timedelta(days=1)
    PortalVisitFactory.create(
        user=world.member, account=world.account, day=yesterday, page_views=17
    )
    PortalVisitFactory.create(user=world.champion, account=world.account, page_views=99)
    PortalVisitFactory.create(user=world.other_champion, account=world.other_account)
    client = client_for(world.member)  # a log-in today, on top of yesterday's pages
    html = client.get(reverse("profile")).content.decode()
    assert "We record the days you visit your portal" in html
    assert ">17<" in html
    assert ">99<" not in html
    assert world.other_account.name not in html


def test_a_customer_with_no_visits_is_told_nothing_is_recorded_yet(world: World) -> None:
    client = Client()
    client.force_login(world.executive)
    PortalVisit.objects.all().delete()
    html = client.get(reverse("profile")).content.decode()
    assert "Nothing recorded yet" in html


def test_vendor_staff_s_profile_has_no_engagement_section(world: World) -> None:
    html = client_for(world.csm).get(reverse("profile")).content.decode()
    assert "We record the days" not in html


def test_a_customer_in_two_accounts_logs_in_once_on_each(world: World, monday: Any) -> None:
    MembershipFactory.create(
        user=world.champion, account=world.other_account, role=CustomerRole.MEMBER
    )
    Client().post(reverse("account_login"), {"login": world.champion.email, "password": PASSWORD})
    assert sorted(
        PortalVisit.objects.filter(user=world.champion).values_list("account__slug", "logins")
    ) == [("acme", 1), ("bluth", 1)]
