"""The inbox: every event a person hears of lands there, with the e-mail they chose for its
kind (now, the daily digest, or none: "in the portal only"); what customers do reaches the
owner CSM's inbox; the bell's count is one query; mark read and mark all read touch the
person's own items only."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.inbox import send_inbox_digests, unread_count
from accounts.models import (
    Delivery,
    InboxDigestSent,
    Notification,
    NotificationKind,
    NotificationSetting,
)
from accounts.services import Mail, mark_all_read, mark_read, tell
from onboarding.models import Task
from onboarding.tasks import send_task_mention
from playbooks.services.task_digest import send_task_assigned
from reports.services import email_review_ready
from successplans.tasks import send_plan_mention
from surveys.services import run_campaign, send_wave_emails
from tests.conftest import World, client_for
from tests.factories import CSMTaskFactory
from tests.inbox_helpers import NotificationFactory
from tests.onboarding_helpers import start
from tests.plan_helpers import make_plan
from tests.queries import count_queries, page_queries
from tests.snapshot import unchanged
from tests.survey_helpers import make_campaign, make_survey
from tests.test_playbooks_steps_customer import run_step
from tests.test_playbooks_steps_customer import welcome as welcome  # the fixture


def choose(user: Any, kind: str, delivery: str) -> None:
    NotificationSetting.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )


def mailed_to(user: Any) -> list[Any]:
    return [m for m in mail.outbox if m.to == [user.email]]


# One helper decides ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "delivery,emails", [(Delivery.IMMEDIATELY, 1), (Delivery.DIGEST, 0), (Delivery.OFF, 0)]
)
def test_tell_puts_one_item_in_the_inbox_and_emails_as_the_person_chose(
    world: World, delivery: str, emails: int
) -> None:
    choose(world.csm, "tasks", delivery)
    task = CSMTaskFactory.create(account=world.account, title="Renewal call")
    assert send_task_assigned(task.pk, world.csm.pk, world.admin.pk) is bool(emails)
    assert len(mailed_to(world.csm)) == emails
    [item] = world.csm.inbox.all()
    assert (item.kind, item.account, item.read_at) == ("tasks", world.account, None)
    assert "Renewal call" in item.title and item.url == f"/today/#task-{task.pk}"
    assert (item.emailed_at is not None) is bool(emails)


def test_a_deactivated_person_is_told_nothing(world: World) -> None:
    world.csm.is_active = False
    world.csm.save()
    assert not tell(world.csm, kind="tasks", title="x", mail=Mail("task_assigned"))
    assert not Notification.objects.exists() and not mail.outbox


def test_a_failed_email_leaves_no_item_so_the_retry_tells_once(
    world: World, monkeypatch: Any
) -> None:
    import portal.mail

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(portal.mail, "send_mail_from_templates", down)
    task = CSMTaskFactory.create(account=world.account)
    with pytest.raises(ConnectionRefusedError):
        send_task_assigned(task.pk, world.csm.pk, None)
    assert not Notification.objects.exists()


# Each sender ----------------------------------------------------------------------------------


def test_a_task_mention_is_in_the_inbox_with_its_email(world: World) -> None:
    from onboarding.models import TaskComment

    start(world)
    task = Task.objects.get(title="Share your goals")
    comment = TaskComment.objects.create(task=task, author=world.champion, body="@Casey look")
    send_task_mention(comment.pk, world.csm.pk)
    [item] = world.csm.inbox.all()
    assert item.kind == "tasks" and item.url == task.get_absolute_url() + "#comments"
    assert item.body == "@Casey look" and len(mailed_to(world.csm)) == 1


def test_a_plan_mention_in_the_portal_only_sends_no_email(world: World) -> None:
    from successplans.models import PlanComment

    plan = make_plan(world)
    choose(world.executive, "plans", Delivery.OFF)
    comment = PlanComment.objects.create(plan=plan, author=world.champion, body="@Evelyn ok?")
    send_plan_mention(comment.pk, world.executive.pk)
    [item] = world.executive.inbox.all()
    assert item.kind == "plans" and item.url == plan.get_absolute_url() + "#discussion"
    assert item.emailed_at is None and not mail.outbox


def test_a_survey_wave_tells_everyone_asked_and_emails_those_who_want_it(world: World) -> None:
    choose(world.member, "surveys", Delivery.OFF)
    campaign = make_campaign(make_survey(world.csm), world.admin, roles=["champion", "member"])
    run_campaign(campaign.pk)
    assert send_wave_emails(campaign.pk, 1) == 2  # Acme's champion, and Bluth's
    assert send_wave_emails(campaign.pk, 1) == 0  # a second delivery of the job: nobody twice
    assert mailed_to(world.member) == []
    for person in (world.champion, world.member, world.other_champion):
        [item] = person.inbox.all()
        assert item.kind == "surveys" and item.body == campaign.survey.question


def test_a_published_review_reaches_the_inbox_of_a_reader_with_report_emails_off(
    world: World,
) -> None:
    from reports.models import Review

    choose(world.executive, "reports", Delivery.OFF)
    review = Review.objects.create(
        account=world.account,
        title="Q3 2026 business review",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        created_by=world.csm,
        published_at=timezone.now(),
    )
    published = review.published_at
    assert published is not None
    assert not email_review_ready(review.pk, world.executive.pk, published.isoformat())
    [item] = world.executive.inbox.all()
    assert item.kind == "reports" and item.url == review.get_absolute_url()
    assert not mail.outbox


# What customers do reaches the owner CSM ------------------------------------------------------


def test_a_customer_ticking_a_task_puts_it_in_the_owner_csms_inbox(world: World) -> None:
    start(world)
    goals = Task.objects.get(title="Share your goals")
    client_for(world.champion).post(
        reverse("onboarding_task_done", args=["acme", goals.pk]), {"done": "1"}
    )
    [item] = world.csm.inbox.all()
    assert item.title == f"{world.champion.display_name} completed “Share your goals”"
    assert item.url == goals.get_absolute_url() and item.account == world.account
    # Ticked again (a double click) or by the vendor's own people: nothing more.
    client_for(world.champion).post(
        reverse("onboarding_task_done", args=["acme", goals.pk]), {"done": "1"}
    )
    kickoff = Task.objects.get(title="Kickoff call")
    client_for(world.csm).post(
        reverse("onboarding_task_done", args=["acme", kickoff.pk]), {"done": "1"}
    )
    assert world.csm.inbox.count() == 1
    assert not world.other_csm.inbox.exists() and not world.admin.inbox.exists()


def test_a_customer_comment_on_a_task_or_a_plan_reaches_the_owner_csm_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    start(world)
    goals = Task.objects.get(title="Share your goals")
    plan = make_plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.member).post(
            reverse("onboarding_task_comment", args=["acme", goals.pk]), {"body": "Done soon."}
        )
        client_for(world.champion).post(
            reverse("plan_comment", args=["acme", plan.pk]), {"body": "Budget approved."}
        )
        # A comment that mentions the CSM tells them once, by the mention.
        client_for(world.champion).post(
            reverse("plan_comment", args=["acme", plan.pk]),
            {"body": f"@{world.csm.display_name} see above"},
        )
        # The CSM's own comment tells nobody of itself.
        client_for(world.csm).post(
            reverse("plan_comment", args=["acme", plan.pk]), {"body": "Thanks!"}
        )
    titles = sorted(world.csm.inbox.values_list("title", flat=True))
    assert titles == sorted(
        [
            f"{world.member.display_name} commented on “Share your goals”",
            f"{world.champion.display_name} commented on the plan “{plan.name}”",
            f"{world.champion.display_name} mentioned you on the plan “{plan.name}”",
        ]
    )


# The daily digest -----------------------------------------------------------------------------


def test_the_digest_gathers_the_days_items_for_those_who_chose_it_once_a_day(
    world: World,
) -> None:
    choose(world.csm, "plans", Delivery.DIGEST)
    choose(world.champion, "plans", Delivery.OFF)
    for user in (world.csm, world.champion):
        tell(user, kind="plans", title=f"Plan news for {user.display_name}", url="/a/acme/")
    tell(world.csm, kind="tasks", title="Not a digest kind", url="/today/")  # sent at once
    assert len(mail.outbox) == 0
    today = timezone.localdate()
    assert send_inbox_digests(today) == 1
    [message] = mail.outbox
    assert message.to == [world.csm.email] and "Plan news" in message.body
    assert "Not a digest kind" not in message.body
    sent = InboxDigestSent.objects.get()
    carried = world.csm.inbox.get(kind="plans")
    assert (sent.user, sent.day, sent.item_ids) == (world.csm, today, [carried.pk])
    assert carried.emailed_at is not None and carried.read_at is None
    assert send_inbox_digests(today) == 0 and len(mail.outbox) == 1
    # Tomorrow, with nothing new, nobody gets one.
    assert send_inbox_digests(today + timedelta(days=1)) == 0


def test_collecting_the_digests_is_one_query_for_any_number_of_people(world: World) -> None:
    from accounts.inbox import collect_inbox_digests

    def people(n: int) -> int:
        Notification.objects.all().delete()
        for user in [world.csm, world.champion, world.executive, world.member][:n]:
            choose(user, "plans", Delivery.DIGEST)
            NotificationFactory.create_batch(3, user=user, kind="plans", account=world.account)
        return count_queries(lambda: collect_inbox_digests(timezone.localdate()))

    assert people(1) == people(4) == 1


# The bell -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["champion", "executive", "member", "csm", "admin"])
def test_everyone_signed_in_has_the_bell_with_their_unread_count(
    world: World, persona: str
) -> None:
    user = world.persona(persona)
    NotificationFactory.create_batch(3, user=user)
    NotificationFactory.create(user=user, read_at=timezone.now())
    NotificationFactory.create_batch(2, user=world.other_champion)  # someone else's
    html = client_for(user).get(reverse("inbox")).content.decode()
    assert 'aria-label="Inbox, 3 unread"' in html
    assert f'href="{reverse("inbox")}"' in html


def test_the_bell_is_one_query_for_3_or_300_items(world: World) -> None:
    NotificationFactory.create_batch(3, user=world.csm)
    few = count_queries(lambda: unread_count(world.csm))
    NotificationFactory.create_batch(297, user=world.csm)
    many = count_queries(lambda: unread_count(world.csm))
    assert few == many == 1
    assert unread_count(world.csm) == 300


def test_a_page_costs_the_same_with_3_or_300_unread(world: World) -> None:
    client = client_for(world.champion)
    NotificationFactory.create_batch(3, user=world.champion)
    few = page_queries(client, reverse("profile"))
    NotificationFactory.create_batch(297, user=world.champion)
    assert page_queries(client, reverse("profile")) == few


# The inbox page -------------------------------------------------------------------------------


def test_the_inbox_lists_newest_first_with_unread_marked_50_a_page_and_filters_by_kind(
    world: World,
) -> None:
    NotificationFactory.create_batch(55, user=world.csm, kind="tasks")
    survey = NotificationFactory.create(user=world.csm, kind="surveys", title="A survey came")
    client = client_for(world.csm)
    html = client.get(reverse("inbox")).content.decode()
    assert html.count('class="inbox-item inbox-item-unread"') == 50
    assert html.index("A survey came") < html.index("Something happened")
    assert "Page 1 of 2" in html
    second = client.get(reverse("inbox") + "?page=2").content.decode()
    assert second.count('class="inbox-item ') == 6
    only = client.get(reverse("inbox") + "?kind=surveys").content.decode()
    assert "A survey came" in only and "Something happened" not in only
    assert reverse("inbox_open", args=[survey.pk]) in only


def test_an_empty_inbox_says_how_it_fills(world: World) -> None:
    html = client_for(world.member).get(reverse("inbox")).content.decode()
    assert "Nothing here yet" in html and reverse("notifications") in html


def test_mark_read_in_place_updates_the_list_and_the_bell(world: World) -> None:
    first, second = NotificationFactory.create_batch(2, user=world.csm)
    response = client_for(world.csm).post(
        reverse("inbox_read", args=[first.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="inbox-bell"' in html and 'hx-swap-oob="true"' in html
    assert 'aria-label="Inbox, 1 unread"' in html
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_mark_all_read_touches_only_the_persons_own_items(world: World) -> None:
    NotificationFactory.create_batch(3, user=world.csm)
    theirs = NotificationFactory.create_batch(2, user=world.other_csm)
    response = client_for(world.csm).post(reverse("inbox_read_all"))
    assert response.status_code == 302
    assert unread_count(world.csm) == 0
    assert all(Notification.objects.get(pk=item.pk).read_at is None for item in theirs), (
        "someone else's items were marked"
    )


def test_mark_all_read_of_one_kind_leaves_the_others(world: World) -> None:
    NotificationFactory.create(user=world.csm, kind="tasks")
    NotificationFactory.create(user=world.csm, kind="plans")
    assert mark_all_read(acting_user=world.csm, kind="plans") == 1
    assert list(world.csm.inbox.filter(read_at__isnull=True).values_list("kind", flat=True)) == [
        "tasks"
    ]


@pytest.mark.parametrize("action", ["inbox_read", "inbox_open"])
def test_someone_elses_item_is_a_404_and_stays_unread(world: World, action: str) -> None:
    item = NotificationFactory.create(user=world.other_csm)
    client = client_for(world.csm)
    with unchanged():
        if action == "inbox_read":
            response = client.post(reverse(action, args=[item.pk]))
        else:
            response = client.get(reverse(action, args=[item.pk]))
    assert response.status_code == 404


def test_the_service_refuses_someone_elses_item(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    item = NotificationFactory.create(user=world.other_csm)
    with unchanged(), pytest.raises(PermissionDenied):
        mark_read(item, acting_user=world.csm)


def test_opening_an_item_marks_it_read_and_goes_to_its_link(world: World) -> None:
    item = NotificationFactory.create(user=world.champion, url="/a/acme/onboarding/")
    response = client_for(world.champion).get(reverse("inbox_open", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == "/a/acme/onboarding/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_an_item_never_sends_anyone_off_the_site(world: World) -> None:
    item = NotificationFactory.create(user=world.champion, url="//evil.example/phish")
    response = client_for(world.champion).get(reverse("inbox_open", args=[item.pk]))
    assert response["Location"] == reverse("inbox")


def test_the_settings_page_offers_the_three_choices(world: World) -> None:
    html = client_for(world.member).get(reverse("notifications")).content.decode()
    for label in ["E-mail now", "Daily digest e-mail", "In the portal only"]:
        assert label in html
    assert len(re.findall(r'type="radio"', html)) == 3 * len(NotificationKind.values)


def test_a_playbook_message_reaches_every_inbox_and_the_email_follows_each_choice(
    world: World, welcome: Any
) -> None:
    from playbooks.models import StepKind
    from playbooks.steps import Outcome

    choose(world.member, "account", Delivery.OFF)
    choose(world.executive, "account", Delivery.DIGEST)
    outcome = run_step(world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "everyone"})
    assert outcome == Outcome.done(
        "sent “Welcome” to 1 person (1 in the daily digest, 1 unsubscribed)"
    )
    assert [m.to for m in mail.outbox] == [[world.champion.email]]
    for person in (world.champion, world.executive, world.member):
        [item] = person.inbox.all()
        assert item.kind == "account" and item.url == "/a/acme/"
        assert item.title.startswith("Welcome to Acme")
    assert send_inbox_digests(timezone.localdate()) == 1
    assert mail.outbox[-1].to == [world.executive.email]


def test_the_bells_refresh_answers_the_count_and_204_once_the_session_ended(
    world: World,
) -> None:
    from django.test import Client

    NotificationFactory.create_batch(2, user=world.member)
    html = client_for(world.member).get(reverse("inbox_bell")).content.decode()
    assert 'aria-label="Inbox, 2 unread"' in html and "hx-swap-oob" not in html
    assert Client().get(reverse("inbox_bell")).status_code == 204


@pytest.mark.django_db
def test_an_item_made_inside_the_embedded_hub_links_to_the_portal_itself() -> None:
    """A customer's tick in the hub framed at /embed/ tells the CSM, who reads it in the
    portal: the item's link carries no /embed/ mount."""
    from django.urls import reverse, set_script_prefix

    from accounts.services import notify
    from tests.factories import AccountFactory, CSMFactory

    csm = CSMFactory.create()
    account = AccountFactory.create(owner=csm)
    set_script_prefix("/embed/")
    try:
        url = reverse("account_home", args=[account.slug])
        assert url.startswith("/embed/")
        (item,) = notify([csm], kind="account", title="Hello", url=url, account=account)
    finally:
        set_script_prefix("/")
    assert item.url == f"/a/{account.slug}/"
