"""Calendar feeds: each person's private iCalendar address holds their due tasks, milestones,
renewals (vendor staff) and reviews, only of accounts they may see, never an internal item in
a customer's; it can be replaced and turned off, and stops with its person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest
import time_machine
from django.urls import reverse

from accounts.models import Account, User
from integrations.models import CalendarFeed
from integrations.services.calendar import render_feed
from onboarding.models import Task
from reports.models import Review
from successplans.models import Milestone, SuccessPlan
from tests.chat_factories import make_feed
from tests.conftest import World, client_for
from tests.factories import CSMTaskFactory
from tests.onboarding_helpers import start
from tests.queries import count_queries

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture, settings: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    settings.SITE_URL = "https://portal.example"


def plan_of(account: Account, csm: User) -> SuccessPlan:
    return SuccessPlan.objects.create(
        account=account,
        name=f"{account.name} plan",
        starts_on=TODAY - timedelta(days=30),
        ends_on=TODAY + timedelta(days=300),
        created_by=csm,
    )


def review_of(account: Account, csm: User, title: str, *, published: bool) -> Review:
    return Review.objects.create(
        account=account,
        title=title,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        created_by=csm,
        published_at=NOW - timedelta(days=2) if published else None,
    )


@pytest.fixture
def dated(world: World) -> dict[str, Any]:
    """Account A: a shared task for the champion, an internal one, a done one; a shared and an
    internal milestone; a published and a draft review; a renewal; a CSM task. Account B: the
    same kinds for its own people."""
    checklist = start(world)
    checklist.tasks.update(assignee=None)  # the template's default assignees: set below
    shared, internal, done = list(checklist.tasks.order_by("pk"))[:3]
    Task.objects.filter(pk=shared.pk).update(
        assignee=world.champion,
        due_date=TODAY + timedelta(days=3),
        title="Connect SSO",
        internal=False,
    )
    Task.objects.filter(pk=internal.pk).update(
        assignee=world.champion,
        due_date=TODAY + timedelta(days=4),
        title="Vendor-only check",
        internal=True,
    )
    Task.objects.filter(pk=done.pk).update(
        assignee=world.champion, due_date=TODAY + timedelta(days=5), completed_at=NOW
    )
    plan = plan_of(world.account, world.csm)
    Milestone.objects.create(
        plan=plan, title="Data connected", target_date=TODAY + timedelta(days=10)
    )
    Milestone.objects.create(
        plan=plan, title="Pricing strategy", target_date=TODAY + timedelta(days=12), internal=True
    )
    Milestone.objects.create(
        plan=plan_of(world.other_account, world.other_csm),
        title="Bluth launch",
        target_date=TODAY + timedelta(days=10),
    )
    review_of(world.account, world.csm, "Q3 review", published=True)
    review_of(world.account, world.csm, "Q4 draft", published=False)
    review_of(world.other_account, world.other_csm, "Bluth Q3", published=True)
    Account.objects.filter(pk=world.account.pk).update(renewal_date=TODAY + timedelta(days=60))
    Account.objects.filter(pk=world.other_account.pk).update(
        renewal_date=TODAY + timedelta(days=40)
    )
    CSMTaskFactory.create(
        account=world.account,
        assignee=world.csm,
        title="Call Dana",
        due_on=TODAY + timedelta(days=1),
    )
    CSMTaskFactory.create(
        account=world.other_account,
        assignee=world.other_csm,
        title="Call Bluth",
        due_on=TODAY + timedelta(days=1),
    )
    return {"shared": shared, "internal": internal}  # fmt: skip


def parse(ical: bytes) -> Any:
    return icalendar.Calendar.from_ical(ical)


def feed_events(user: User) -> dict[str, Any]:
    """``user``'s feed, fetched through its public address and parsed, by summary."""
    _, token = make_feed(user)
    response = client_for(None).get(reverse("calendar_ics", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar: Any = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    assert "X-WR-CALNAME" in calendar and calendar["X-PUBLISHED-TTL"] == "PT1H"
    assert "REFRESH-INTERVAL" in calendar
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_a_champions_feed_has_their_tasks_the_shared_milestones_and_published_reviews(
    world: World, dated: dict[str, Any]
) -> None:
    events = feed_events(world.champion)
    assert sorted(events) == [
        "Business review: Q3 review (Acme)",
        "Connect SSO (Acme)",
        "Milestone: Data connected (Acme)",
    ]
    task = events["Connect SSO (Acme)"]
    assert str(task["UID"]) == f"task-{dated['shared'].pk}@portal.example"
    assert task["DTSTART"].dt == TODAY + timedelta(days=3)
    assert task["DTSTART"].params.get("VALUE") == "DATE"
    assert task["DTEND"].dt == TODAY + timedelta(days=4)
    url = "https://portal.example" + reverse("onboarding_task", args=["acme", dated["shared"].pk])
    assert str(task["URL"]) == url and url in str(task["DESCRIPTION"])
    review = events["Business review: Q3 review (Acme)"]
    assert review["DTSTART"].dt == TODAY - timedelta(days=2)  # the day it was published


def test_nothing_internal_and_nothing_of_another_account_reaches_a_customer(
    world: World, dated: dict[str, Any]
) -> None:
    text = " ".join(feed_events(world.champion))
    for secret in (
        "Vendor-only check",
        "Pricing strategy",
        "Q4 draft",
        "Renewal",
        "Call Dana",
        "Bluth",
    ):
        assert secret not in text


def test_a_member_sees_milestones_but_no_reviews(world: World, dated: dict[str, Any]) -> None:
    assert sorted(feed_events(world.member)) == ["Milestone: Data connected (Acme)"]


def test_a_csms_feed_is_their_portfolio_with_renewals_internal_items_and_drafts(
    world: World, dated: dict[str, Any]
) -> None:
    events = feed_events(world.csm)
    assert sorted(events) == [
        "Business review: Q3 review (Acme)",
        "Business review: Q4 draft (Acme)",
        "Call Dana (Acme)",
        "Milestone: Data connected (Acme)",
        "Milestone: Pricing strategy (Acme)",
        "Renewal: Acme",
    ]
    renewal = events["Renewal: Acme"]
    assert renewal["DTSTART"].dt == TODAY + timedelta(days=60)
    assert (
        str(renewal["UID"])
        == f"renewal-{world.account.pk}-{TODAY + timedelta(days=60):%Y%m%d}@portal.example"
    )
    assert events["Business review: Q4 draft (Acme)"]["DTSTART"].dt == date(2026, 9, 30)
    other = feed_events(world.other_csm)
    assert "Renewal: Bluth" in other and not any("Acme" in summary for summary in other)


def test_uids_stay_the_same_from_one_fetch_to_the_next(world: World, dated: dict[str, Any]) -> None:
    first = {str(e["UID"]) for e in parse(render_feed(world.csm)).walk("VEVENT")}
    second = {str(e["UID"]) for e in parse(render_feed(world.csm)).walk("VEVENT")}
    assert first == second and len(first) == 6


def test_the_feed_costs_the_same_queries_for_three_items_as_for_thirty(
    world: World, dated: dict[str, Any]
) -> None:
    def render() -> bytes:
        return render_feed(User.objects.get(pk=world.csm.pk))

    few = count_queries(render)
    plan = SuccessPlan.objects.get(account=world.account)
    for n in range(10):
        Milestone.objects.create(plan=plan, title=f"M{n}", target_date=TODAY + timedelta(days=n))
        CSMTaskFactory.create(
            account=world.account, assignee=world.csm, title=f"T{n}", due_on=TODAY
        )
        Review.objects.create(
            account=world.account,
            title=f"R{n}",
            period_start=TODAY,
            period_end=TODAY,
            created_by=world.csm,
        )
    assert len(parse(render()).walk("VEVENT")) == 36
    assert count_queries(render) == few  # fmt: skip


# The address ----------------------------------------------------------------------------------


def test_a_person_makes_an_address_replaces_it_and_turns_it_off(world: World) -> None:
    client = client_for(world.champion)
    assert client.post(reverse("calendar_feed_create")).status_code == 302
    page = client.get(reverse("calendar_feed")).content.decode()
    first = CalendarFeed.objects.get(user=world.champion)
    prefix = f"https://portal.example/calendar/{first.key}"
    assert prefix in page
    first_url = page[page.index(prefix) :].split('"')[0].removeprefix("https://portal.example")
    assert client_for(None).get(first_url).status_code == 200
    # Shown once: the next visit does not show it again.
    assert prefix not in client.get(reverse("calendar_feed")).content.decode()

    client.post(reverse("calendar_feed_create"))
    second = CalendarFeed.objects.get(user=world.champion)
    assert second.key != first.key and second.pk == first.pk
    assert client_for(None).get(first_url).status_code == 404

    client.post(reverse("calendar_feed_revoke"))
    second.refresh_from_db()
    assert second.revoked_at == NOW
    assert client_for(None).get(first_url).status_code == 404


def test_a_revoked_an_unknown_or_a_wrong_secret_is_404(world: World) -> None:
    feed, token = make_feed(world.champion)
    anonymous = client_for(None)
    assert anonymous.get(reverse("calendar_ics", args=[token])).status_code == 200
    wrong = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert anonymous.get(reverse("calendar_ics", args=[wrong])).status_code == 404
    assert anonymous.get(reverse("calendar_ics", args=["nothing-here"])).status_code == 404
    CalendarFeed.objects.filter(pk=feed.pk).update(revoked_at=NOW)
    assert anonymous.get(reverse("calendar_ics", args=[token])).status_code == 404


def test_a_deactivated_persons_feed_stops(world: World) -> None:
    _, token = make_feed(world.champion)
    User.objects.filter(pk=world.champion.pk).update(is_active=False)
    assert client_for(None).get(reverse("calendar_ics", args=[token])).status_code == 404


def test_only_the_hash_of_the_secret_is_kept(world: World) -> None:
    feed, token = make_feed(world.champion)
    stored = CalendarFeed.objects.filter(pk=feed.pk).values().get()
    assert token[len(feed.key) :] not in str(stored)


def test_a_calendar_reading_the_feed_is_noted_at_most_hourly(
    world: World, time_machine: time_machine.TimeMachineFixture
) -> None:
    feed, token = make_feed(world.champion)
    url = reverse("calendar_ics", args=[token])
    anonymous = client_for(None)
    anonymous.get(url)
    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW
    time_machine.move_to(NOW + timedelta(minutes=30), tick=False)
    anonymous.get(url)
    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW
    time_machine.move_to(NOW + timedelta(hours=2), tick=False)
    anonymous.get(url)
    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW + timedelta(hours=2)
