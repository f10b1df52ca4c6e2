"""A champion or executive asks for a business review: recorded once a month at most, the
owner CSM told (inbox and e-mail), and the "review asked" event raised; a customer's new
comment on a task or a plan raises "comment added"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Activity, Notification, NotificationSetting
from onboarding.services import comment_on_task
from playbooks.models import Event, EventKind
from portal.models import Job
from reports.models import ReviewRequest
from reports.services import AlreadyAsked, ask_for_review
from successplans.services import comment_on_plan
from tests.conftest import World, client_for
from tests.onboarding_helpers import start
from tests.plan_helpers import make_plan
from tests.queries import count_queries
from tests.snapshot import unchanged

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def ask(client: Any, world: World, **data: str) -> Any:
    return client.post(reverse("review_ask", args=[world.account.slug]), data)


def test_a_champion_asks_and_the_csm_is_told_and_the_event_raised(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.champion)
    page = client.get(reverse("reports", args=["acme"])).content.decode()
    assert "Ask for a business review" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, world, note="Adoption in EMEA", preferred_month="2027-01")
    assert response.status_code == 302
    request = ReviewRequest.objects.get()
    assert request.asked_by == world.champion and request.note == "Adoption in EMEA"
    assert request.preferred_month == date(2027, 1, 1)
    assert Activity.objects.filter(verb="asked for", account=world.account).exists()
    [item] = Notification.objects.filter(user=world.csm)
    assert item.title == f"{world.champion.display_name} of Acme asks for a business review"
    assert "Preferred month: January 2027." in item.body and "Adoption in EMEA" in item.body
    [email] = mail.outbox
    assert email.to == [world.csm.email] and "Acme asks for a business review" in email.subject
    assert "Adoption in EMEA" in email.body and "January 2027" in email.body
    event = Event.objects.get(kind=EventKind.REVIEW_ASKED)
    assert event.account == world.account and event.source == f"review_request:{request.pk}"
    assert event.data["user_id"] == world.champion.pk
    assert event.data["preferred_month"] == "2027-01-01"
    page = client.get(reverse("reports", args=["acme"])).content.decode()
    assert f"{world.champion.display_name} asked on 16 November 2026" in page


def test_asking_again_within_30_days_says_when_it_was_asked(world: World) -> None:
    ask_for_review(world.account, acting_user=world.champion)
    client = client_for(world.executive)
    with unchanged():
        response = ask(client, world, note="Again")
    assert response.status_code == 422
    assert "already asked for a business review on 16 November 2026" in response.content.decode()


def test_after_30_days_they_may_ask_again(
    world: World, time_machine: time_machine.TimeMachineFixture
) -> None:
    ask_for_review(world.account, acting_user=world.champion)
    time_machine.move_to(NOW + timedelta(days=29), tick=False)
    with pytest.raises(AlreadyAsked):
        ask_for_review(world.account, acting_user=world.executive)
    time_machine.move_to(NOW + timedelta(days=31), tick=False)
    ask_for_review(world.account, acting_user=world.executive)
    assert ReviewRequest.objects.count() == 2


def test_a_csm_with_report_emails_off_gets_the_inbox_item_only(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    NotificationSetting.objects.create(user=world.csm, kind="reports", delivery="off")
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_review(world.account, acting_user=world.champion)
    assert Notification.objects.filter(user=world.csm).count() == 1
    assert mail.outbox == []


def test_a_member_has_no_button_and_is_refused(world: World) -> None:
    client = client_for(world.member)
    assert client.get(reverse("reports", args=["acme"])).status_code == 403
    with unchanged():
        assert ask(client, world).status_code == 403


def test_the_vendor_sees_the_ask_on_the_reviews_page(world: World) -> None:
    ask_for_review(world.account, acting_user=world.champion, note="Roadmap, please")
    page = client_for(world.csm).get(reverse("reports", args=["acme"])).content.decode()
    assert "Review asked for" in page and "Roadmap, please" in page
    assert 'action="/a/acme/reviews/ask/"' not in page


def test_asking_costs_the_request_one_job_row_for_the_event(world: World) -> None:
    jobs = Job.objects.filter(task="playbooks.record_event")
    before = jobs.count()
    ask_for_review(world.account, acting_user=world.champion)
    assert jobs.count() == before + 1


# A customer's comment ---------------------------------------------------------------------------


def test_a_customers_comment_on_a_task_raises_comment_added(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    task = start(world).tasks.filter(internal=False).first()
    assert task is not None
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_on_task(
            task, "Where do I  find the SSO settings?", acting_user=world.champion
        )
    event = Event.objects.get(kind=EventKind.COMMENT_ADDED)
    assert event.account == world.account and event.source == f"task_comment:{comment.pk}"
    assert event.data == {
        "comment_id": comment.pk,
        "author_id": world.champion.pk,
        "where": "task",
        "task_id": task.pk,
        "title": task.title,
        "excerpt": "Where do I find the SSO settings?",
    }


def test_a_comment_by_vendor_staff_raises_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    task = start(world).tasks.filter(internal=False).first()
    assert task is not None
    plan = make_plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        comment_on_task(task, "Done on our side.", acting_user=world.csm)
        comment_on_plan(plan, body="Internal note", acting_user=world.csm, internal=True)
        comment_on_plan(plan, body="Agreed", acting_user=world.csm)
    assert not Event.objects.filter(kind=EventKind.COMMENT_ADDED).exists()


def test_a_customers_comment_on_a_plan_raises_comment_added_for_one_job_row(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    plan = make_plan(world)
    jobs = Job.objects.filter(task="playbooks.record_event")
    before = jobs.count()
    long = "word " * 100
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_on_plan(plan, body=long, acting_user=world.champion)
    assert jobs.count() == before + 1
    event = Event.objects.get(kind=EventKind.COMMENT_ADDED)
    assert event.source == f"plan_comment:{comment.pk}"
    assert event.data["where"] == "plan" and event.data["plan_id"] == plan.pk
    assert event.data["title"] == plan.name
    assert len(event.data["excerpt"]) == 200 and event.data["excerpt"].endswith("…")


def test_the_comment_receiver_runs_no_query_of_its_own(world: World) -> None:
    """The author and the task come with the comment the service saved."""
    task = start(world).tasks.filter(internal=False).first()
    assert task is not None
    task = type(task).objects.select_related("checklist__account").get(pk=task.pk)
    from onboarding.models import TaskComment
    from playbooks.signals import task_comment_saved

    comment = TaskComment(task=task, author=world.champion, body="Hi", pk=10**6, created_at=NOW)
    queries = count_queries(lambda: task_comment_saved(TaskComment, comment, created=True))
    assert queries == 1  # the job row


def test_the_ask_forms_months_start_from_today_and_follow_the_calendar(
    world: World, time_machine: time_machine.TimeMachineFixture
) -> None:
    client = client_for(world.champion)
    page = client.get(reverse("reports", args=["acme"])).content.decode()
    assert '<option value="2026-11">November 2026</option>' in page
    time_machine.move_to(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False)
    page = client_for(world.champion).get(reverse("reports", args=["acme"])).content.decode()
    assert '<option value="2026-11">' not in page
    assert '<option value="2026-12">December 2026</option>' in page


def test_an_ask_with_a_bad_month_shows_the_form_again_with_its_error(world: World) -> None:
    response = ask(client_for(world.champion), world, preferred_month="1999-01")
    assert response.status_code == 422
    page = response.content.decode()
    assert 'class="field field-preferred_month field-invalid"' in page
    assert not ReviewRequest.objects.exists()


def test_the_preferred_month_is_stored_as_a_date_and_written_in_the_readers_language(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.csm.language = "de"
    world.csm.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        ask_for_review(world.account, acting_user=world.champion, preferred_month=date(2027, 1, 9))
    activity = Activity.objects.get(verb="asked for", account=world.account)
    assert activity.after is not None and activity.after["preferred_month"] == "2027-01-01"
    # The owner reads German: the inbox item and the e-mail say the month in German.
    [item] = Notification.objects.filter(user=world.csm)
    assert "Januar 2027" in item.body and "January" not in item.body
    [email] = mail.outbox
    assert "Januar 2027" in str(email.body) and "January" not in str(email.body)
