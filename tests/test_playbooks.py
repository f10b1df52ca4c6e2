"""Playbooks, first slice: events from the other apps' signals, the detractor follow-up,
the CSM's tasks and the Today page."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.change_words import change_value
from accounts.models import Activity, Membership, Segment
from accounts.services import deactivate_user
from insights.models import HealthScore
from playbooks import signals
from playbooks.models import CSMTask, Event, EventKind, Playbook, PlaybookRun, Priority
from playbooks.tasks import record_events
from portal.models import Job
from surveys.models import Kind, Response
from surveys.services import record_response
from tests.conftest import World, client_for
from tests.factories import CSMTaskFactory, MembershipFactory, PlaybookStepFactory
from tests.panels import account_page
from tests.queries import assert_same_queries, counting, page_queries
from tests.snapshot import unchanged
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def answer(
    world: World, user: Any, score: int, kind: str = Kind.NPS, capture: Any = None
) -> Response:
    survey = make_survey(world.csm, kind)
    campaign = make_campaign(survey, world.csm)
    delivery = deliver(campaign, user, account=world.account)
    with capture(execute=True):
        return record_response(delivery, score, channel="portal").response


# Signals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,score,event_kind",
    [
        (Kind.NPS, 3, EventKind.NPS_DETRACTOR),
        (Kind.NPS, 7, EventKind.NPS_PASSIVE),
        (Kind.NPS, 10, EventKind.NPS_PROMOTER),
        (Kind.CSAT, 1, EventKind.CSAT_LOW),
        (Kind.CES, 2, EventKind.CES_HIGH_EFFORT),
    ],
)
def test_a_survey_answer_raises_its_event(
    world: World, django_capture_on_commit_callbacks: Any, kind: str, score: int, event_kind: str
) -> None:
    response = answer(world, world.champion, score, kind, django_capture_on_commit_callbacks)
    event = Event.objects.exclude(kind=EventKind.SURVEY_ANSWERED).get()
    assert (event.kind, event.account, event.source) == (
        event_kind,
        world.account,
        f"response:{response.pk}",
    )
    assert event.data["score"] == score and event.data["user_id"] == world.champion.pk


def test_a_satisfied_csat_answer_raises_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    answer(world, world.champion, 5, Kind.CSAT, django_capture_on_commit_callbacks)
    assert not Event.objects.exclude(kind=EventKind.SURVEY_ANSWERED).exists()


def test_a_completed_onboarding_raises_its_event_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.onboarding_helpers import start

    checklist = start(world)
    checklist.completed_at = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        checklist.save(update_fields=["completed_at"])
    with django_capture_on_commit_callbacks(execute=True):
        checklist.save(update_fields=["completed_at"])  # saved again, still completed
    event = Event.objects.get()
    assert event.kind == EventKind.ONBOARDING_COMPLETED and event.account == world.account


def test_a_removed_champion_raises_champion_left(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.get(user=world.champion).delete()
    event = Event.objects.exclude(kind=EventKind.PERSON_LEFT).get()
    assert event.kind == EventKind.CHAMPION_LEFT
    assert event.data == {"user_id": world.champion.pk, "role": "champion", "how": "removed"}


def test_removing_a_member_raises_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.get(user=world.member).delete()
    assert not Event.objects.exclude(kind=EventKind.PERSON_LEFT).exists()


def test_a_deactivated_executive_raises_executive_left_on_each_account(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    MembershipFactory.create(user=world.executive, account=world.other_account, role="executive")
    with django_capture_on_commit_callbacks(execute=True):
        deactivate_user(world.executive, acting_user=world.admin)
    events = Event.objects.exclude(kind=EventKind.PERSON_LEFT).order_by("account__slug")
    assert [(e.kind, e.account) for e in events] == [
        (EventKind.EXECUTIVE_LEFT, world.account),
        (EventKind.EXECUTIVE_LEFT, world.other_account),
    ]
    assert all(e.data["how"] == "deactivated" for e in events)


def test_a_health_score_in_another_band_than_the_day_before_raises_an_event(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        HealthScore.objects.create(
            account=world.account, day=today - timedelta(days=1), score=75, band="healthy"
        )
        HealthScore.objects.create(account=world.account, day=today, score=55, band="at_risk")
    event = Event.objects.get()
    assert event.kind == EventKind.HEALTH_BAND_CHANGED
    assert (event.data["from_band"], event.data["to_band"]) == ("healthy", "at_risk")


def test_a_health_score_in_the_same_band_raises_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        HealthScore.objects.create(
            account=world.account, day=today - timedelta(days=1), score=75, band="healthy"
        )
        HealthScore.objects.create(account=world.account, day=today, score=72, band="healthy")
    assert not Event.objects.exists()


def test_raising_an_event_costs_the_request_one_query(world: World) -> None:
    survey = make_survey(world.csm)
    delivery = deliver(make_campaign(survey, world.csm), world.champion, account=world.account)
    response = Response(
        pk=999, delivery=delivery, campaign_id=delivery.campaign_id, account=world.account,
        user=world.champion, kind=Kind.NPS, score=2, answered_at=NOW, updated_at=NOW,
    )  # fmt: skip
    jobs = Job.objects.filter(task__in=["playbooks.record_event", "playbooks.record_events"])
    before = jobs.count()  # the accounts' own "created" events
    with counting() as queries:
        signals.response_saved(sender=Response, instance=response, created=True)
    assert len(queries) == 1, queries.sql  # the job row; the rest runs after commit
    assert jobs.count() == before + 1
    assert not Event.objects.exists()  # not before the commit


# The detractor follow-up ------------------------------------------------------------------------


def test_a_detractor_gets_a_high_priority_call_from_the_csm_in_two_days(
    world: World, detractor_play: Playbook, django_capture_on_commit_callbacks: Any
) -> None:
    answer(world, world.champion, 3, Kind.NPS, django_capture_on_commit_callbacks)
    task = CSMTask.objects.get()
    assert task.title == f"Call {world.champion.display_name} about their NPS 3"
    assert task.assignee == world.csm and task.account == world.account
    assert task.priority == Priority.HIGH
    assert task.due_on == timezone.localdate() + timedelta(days=2)
    run = PlaybookRun.objects.get()
    assert task.run == run and task.event == run.event and run.playbook == detractor_play
    assert run.run_steps.get().status == "done"
    logged = Activity.objects.get(verb="ran")
    assert logged.account == world.account and logged.internal
    assert logged.after is not None and "NPS 3" in change_value(logged.after["why"], None)


def test_the_task_carries_the_detractors_comment(
    world: World, detractor_play: Playbook, django_capture_on_commit_callbacks: Any
) -> None:
    response = answer(world, world.champion, 2, Kind.NPS, capture=lambda **kw: nullcontext())
    Response.objects.filter(pk=response.pk).update(comment="Exports keep failing.")
    event_job = Job.objects.get(task="playbooks.record_events")  # the detractor, and answered
    record_events(**event_job.kwargs)
    assert "Exports keep failing." in CSMTask.objects.get().reason


def test_a_second_delivery_of_the_same_event_makes_no_second_task(
    world: World, detractor_play: Playbook, django_capture_on_commit_callbacks: Any
) -> None:
    answer(world, world.champion, 3, Kind.NPS, django_capture_on_commit_callbacks)
    job = Job.objects.get(task="playbooks.record_events")  # the detractor, and answered
    assert record_events(**job.kwargs) == 0  # delivered again: fired already
    assert CSMTask.objects.count() == 1 and PlaybookRun.objects.count() == 1
    assert Event.objects.exclude(kind=EventKind.SURVEY_ANSWERED).count() == 1


def test_a_paused_playbook_does_nothing(
    world: World, detractor_play: Playbook, django_capture_on_commit_callbacks: Any
) -> None:
    Playbook.objects.filter(pk=detractor_play.pk).update(enabled=False)
    answer(world, world.champion, 3, Kind.NPS, django_capture_on_commit_callbacks)
    assert Event.objects.exclude(kind=EventKind.SURVEY_ANSWERED).count() == 1
    assert not CSMTask.objects.exists() and not PlaybookRun.objects.exists()


def test_a_playbook_fires_only_for_accounts_meeting_its_conditions(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    step = PlaybookStepFactory.create(
        playbook__conditions={"segment": [Segment.ENTERPRISE]}, params={"title": "Call {person}"}
    )
    answer(world, world.champion, 3, Kind.NPS, django_capture_on_commit_callbacks)
    assert not PlaybookRun.objects.filter(playbook=step.playbook).exists()
    world.account.segment = Segment.ENTERPRISE
    world.account.save()
    answer(world, world.executive, 3, Kind.NPS, django_capture_on_commit_callbacks)
    run = PlaybookRun.objects.get(playbook=step.playbook)
    assert "segment is Enterprise" in run.reason


# Playbooks page ---------------------------------------------------------------------------------


def test_a_cs_admin_pauses_and_enables_a_playbook_in_place(
    world: World, detractor_play: Playbook
) -> None:
    client = client_for(world.admin)
    url = reverse("playbook_toggle", args=[detractor_play.pk])
    response = client.post(url, {"enabled": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Paused" in response.content
    assert not Playbook.objects.get(pk=detractor_play.pk).enabled
    assert Activity.objects.filter(verb="paused a playbook").exists()
    client.post(url, {"enabled": "1"}, HTTP_HX_REQUEST="true")
    assert Playbook.objects.get(pk=detractor_play.pk).enabled


def test_a_junk_toggle_is_refused_and_changes_nothing(
    world: World, detractor_play: Playbook
) -> None:
    client = client_for(world.admin)
    with unchanged():
        response = client.post(
            reverse("playbook_toggle", args=[detractor_play.pk]),
            {"enabled": "maybe"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 422


# Tasks ------------------------------------------------------------------------------------------


def test_a_csm_completes_a_task_in_place(world: World) -> None:
    task = CSMTaskFactory.create(account=world.account, assignee=world.csm)
    response = client_for(world.csm).post(
        reverse("task_complete", args=[task.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"Done:" in response.content
    task.refresh_from_db()
    assert task.done_at == NOW and task.done_by == world.csm
    assert Activity.objects.get(verb="completed a task").internal


def test_completing_a_done_task_is_refused_and_changes_nothing(world: World) -> None:
    task = CSMTaskFactory.create(account=world.account, assignee=world.csm, done_at=NOW)
    client = client_for(world.csm)
    with unchanged():
        response = client.post(reverse("task_complete", args=[task.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and b"already done" in response.content


def test_a_csm_snoozes_a_task_for_a_week(world: World) -> None:
    task = CSMTaskFactory.create(account=world.account, assignee=world.csm)
    response = client_for(world.csm).post(
        reverse("task_snooze", args=[task.pk]), {"days": "7"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.snoozed_until == timezone.localdate() + timedelta(days=7)
    page = client_for(world.csm).get(reverse("today"))
    assert task.title not in page.content.decode()  # hidden until then


@pytest.mark.parametrize("days", ["3", "abc", ""])
def test_a_snooze_of_another_length_is_refused(world: World, days: str) -> None:
    task = CSMTaskFactory.create(account=world.account, assignee=world.csm)
    client = client_for(world.csm)
    with unchanged():
        response = client.post(
            reverse("task_snooze", args=[task.pk]), {"days": days}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 422


def test_a_task_is_handed_over_to_another_csm(world: World) -> None:
    task = CSMTaskFactory.create(account=world.account, assignee=world.csm)
    response = client_for(world.csm).post(
        reverse("task_reassign", args=[task.pk]),
        {"assignee": world.other_csm.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.assignee == world.other_csm
    logged = Activity.objects.get(verb="reassigned a task")
    assert logged.after == {"assignee": str(world.other_csm)}


@pytest.mark.parametrize("who", ["champion", "junk"])
def test_a_task_cannot_go_to_a_customer_or_nobody(world: World, who: str) -> None:
    task = CSMTaskFactory.create(account=world.account, assignee=world.csm)
    assignee = world.champion.pk if who == "champion" else "abc"
    client = client_for(world.csm)
    with unchanged():
        response = client.post(
            reverse("task_reassign", args=[task.pk]), {"assignee": assignee}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 422


def test_a_task_made_by_hand_from_the_account(world: World) -> None:
    response = client_for(world.csm).post(
        reverse("task_create", args=[world.account.slug]),
        {"title": "Check in", "assignee": world.csm.pk, "due_on": "2026-11-20",
         "priority": "high", "reason": "Quiet for a month."},
    )  # fmt: skip
    assert response.status_code == 302
    task = CSMTask.objects.get()
    assert (task.title, task.due_on, task.created_by) == ("Check in", date(2026, 11, 20), world.csm)


def test_a_task_form_with_no_title_is_refused(world: World) -> None:
    client = client_for(world.csm)
    with unchanged():
        response = client.post(
            reverse("task_create", args=[world.account.slug]),
            {"title": "", "assignee": world.csm.pk, "due_on": "someday", "priority": "high"},
        )
    assert response.status_code == 422


# Today ------------------------------------------------------------------------------------------


def test_today_groups_a_csms_own_tasks(world: World) -> None:
    today = timezone.localdate()
    CSMTaskFactory.create(
        account=world.account, assignee=world.csm, title="Late", due_on=today - timedelta(days=2)
    )
    CSMTaskFactory.create(account=world.account, assignee=world.csm, title="Now", due_on=today)
    CSMTaskFactory.create(
        account=world.account, assignee=world.csm, title="Soon", due_on=today + timedelta(days=3)
    )
    CSMTaskFactory.create(account=world.other_account, assignee=world.other_csm, title="Not mine")
    page = client_for(world.csm).get(reverse("today")).content.decode()
    assert page.index("Late") < page.index("Now") < page.index("Soon")
    assert "Not mine" not in page
    assert "2\xa0days overdue" in page
    assert world.account.name in page
    admin_page = client_for(world.admin).get(reverse("today"), {"assignee": world.other_csm.pk})
    assert "Not mine" in admin_page.content.decode() and "Late" not in admin_page.content.decode()


def test_today_with_a_junk_assignee_filter_is_404(world: World) -> None:
    assert client_for(world.admin).get(reverse("today"), {"assignee": "abc"}).status_code == 404


def test_today_runs_as_many_queries_for_30_tasks_as_for_3(world: World) -> None:
    def tasks(n: int) -> None:
        for i in range(n):
            account = world.account if i % 2 else world.other_account
            CSMTaskFactory.create(
                account=account,
                assignee=world.csm,
                due_on=timezone.localdate() + timedelta(days=i % 5 - 2),
            )

    client = client_for(world.csm)
    tasks(3)
    before = page_queries(client, reverse("today"))
    tasks(27)
    assert_same_queries(before, page_queries(client, reverse("today")), "Today")


def test_tasks_show_on_the_account_page_for_vendor_staff_only(world: World) -> None:
    CSMTaskFactory.create(account=world.account, assignee=world.csm, title="Call Dana back")
    assert (
        "Call Dana back" in account_page(client_for(world.csm), world.account.slug).content.decode()
    )
    for customer in (world.champion, world.executive, world.member):
        page = account_page(client_for(customer), world.account.slug)
        assert page.status_code == 200
        assert "Call Dana back" not in page.content.decode()
        assert "CSM tasks" not in page.content.decode()
