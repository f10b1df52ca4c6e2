"""The CSM's day: notes in place, where each task came from, Today as vendor staff's home, the
team's load for CS admins, the morning digest and the e-mail when a task comes to someone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import Activity, Delivery, NotificationKind, NotificationSetting, User
from playbooks.figures import team_load
from playbooks.models import CSMTask, Event, EventKind, Playbook, TaskDigestSent, TaskNote
from playbooks.services import task_digest
from playbooks.services.csm_tasks import create_task, reassign_task
from playbooks.services.task_digest import collect_task_digests, send_task_digests
from playbooks.tasks import send_task_digests as send_task_digests_task
from portal.models import Job
from surveys.models import FollowUp, Kind
from surveys.services import record_response
from tests.conftest import World, client_for
from tests.factories import (
    AccountFactory,
    CSMFactory,
    CSMTaskFactory,
    PlaybookRunFactory,
    TaskDigestSentFactory,
    TaskNoteFactory,
)
from tests.panels import account_page
from tests.queries import assert_same_queries, count_queries, counting, page_queries
from tests.snapshot import unchanged
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
DAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def task(world: World, title: str, due: int = 0, **fields: Any) -> CSMTask:
    """A task on account A for its CSM, due ``due`` days from today."""
    fields = {"account": world.account, "assignee": world.csm, **fields}
    return CSMTaskFactory.create(title=title, due_on=DAY + timedelta(days=due), **fields)


def deliver_as(user: User, kind: str, delivery: str) -> None:
    NotificationSetting.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# Notes in place ---------------------------------------------------------------------------------


def test_a_csm_adds_a_note_in_place_from_today(world: World) -> None:
    call = task(world, "Call Dana")
    response = client_for(world.csm).post(
        reverse("task_note", args=[call.pk]),
        {"body": "  Left a voicemail, trying again Friday.  "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    note = TaskNote.objects.get()
    assert (note.task, note.author, note.body) == (
        call,
        world.csm,
        "Left a voicemail, trying again Friday.",
    )
    html = response.content.decode()
    assert f'id="task-notes-{call.pk}"' in html and "Left a voicemail" in html
    logged = Activity.objects.get(verb="added a note to a task")
    assert logged.internal and logged.account == world.account and logged.actor == world.csm


def test_a_note_from_the_account_panel_goes_back_to_the_account(world: World) -> None:
    call = task(world, "Call Dana")
    page = account_page(client_for(world.csm), world.account.slug)
    assert reverse("task_note", args=[call.pk]) in page.content.decode()
    assert 'name="back_to" value="account"' in page.content.decode()
    response = client_for(world.csm).post(
        reverse("task_note", args=[call.pk]), {"body": "Sent the deck.", "back_to": "account"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_home", args=[world.account.slug])
    assert call.notes.get().body == "Sent the deck."


@pytest.mark.parametrize(
    "body,message",
    [("", "Write the note first."), ("   ", "Write the note first."), ("x" * 2001, "at most 2000")],
)
def test_an_empty_or_too_long_note_is_refused_and_saves_nothing(
    world: World, body: str, message: str
) -> None:
    call = task(world, "Call Dana")
    client = client_for(world.csm)
    with unchanged():
        response = client.post(
            reverse("task_note", args=[call.pk]), {"body": body}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert response["HX-Retarget"] == "#notice"


def test_a_csm_cannot_note_a_task_on_another_csms_account(world: World) -> None:
    theirs = CSMTaskFactory.create(account=world.other_account, assignee=world.other_csm)
    client = client_for(world.csm)
    with unchanged():
        response = client.post(
            reverse("task_note", args=[theirs.pk]), {"body": "Hello"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 404


def test_today_shows_the_latest_three_notes_under_a_task(world: World) -> None:
    call = task(world, "Call Dana")
    for n in range(5):
        TaskNoteFactory.create(
            task=call, body=f"Attempt {n}", created_at=NOW - timedelta(hours=5 - n)
        )
    html = client_for(world.csm).get(reverse("today")).content.decode()
    assert "Attempt 4" in html and "Attempt 3" in html and "Attempt 2" in html
    assert "Attempt 1" not in html and "Attempt 0" not in html
    assert html.index("Attempt 4") < html.index("Attempt 2")  # newest first
    assert "The latest 3 of 5 notes." in html


# Where a task came from -------------------------------------------------------------------------


def test_a_playbook_task_names_its_playbook_and_links_to_the_account(world: World) -> None:
    playbook = Playbook.objects.get(key="detractor-follow-up")
    run = PlaybookRunFactory.create(playbook=playbook, event__account=world.account)
    task(world, "Call the detractor", run=run, event=run.event)
    html = client_for(world.csm).get(reverse("today")).content.decode()
    link = f'<a href="{reverse("account_home", args=[world.account.slug])}">Playbook “{playbook.name}”</a>'
    assert link in html


def test_a_hand_made_task_says_who_added_it(world: World) -> None:
    task(world, "Check in", created_by=world.admin)
    text = text_of(client_for(world.csm).get(reverse("today")).content.decode())
    assert f"Added by {world.admin.display_name}" in text


def test_a_task_from_a_survey_answer_links_to_its_follow_up(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    survey = make_survey(world.csm, Kind.NPS)
    delivery = deliver(make_campaign(survey, world.csm), world.champion, account=world.account)
    with django_capture_on_commit_callbacks(execute=True):
        response = record_response(delivery, 2, channel="portal").response
    event = Event.objects.get(kind=EventKind.NPS_DETRACTOR)
    follow_up = FollowUp.objects.get(response=response)
    task(world, "Call back", event=event)
    html = client_for(world.csm).get(reverse("today")).content.decode()
    url = reverse("survey_follow_up", args=[follow_up.pk])
    assert f'<a href="{url}">{EventKind.NPS_DETRACTOR.label}</a>' in html
    # The account page's panel says the same.
    panel = account_page(client_for(world.csm), world.account.slug)
    assert f'href="{url}"' in panel.content.decode()


def test_an_event_without_a_follow_up_shows_its_label_without_a_link(world: World) -> None:
    event = Event.objects.create(
        account=world.account, kind=EventKind.USAGE_DROPPED, source="usage:1", data={}
    )
    task(world, "Ask about usage", event=event)
    html = client_for(world.csm).get(reverse("today")).content.decode()
    assert f'<span class="pb-task-source">{EventKind.USAGE_DROPPED.label}</span>' in html


def test_today_with_notes_and_sources_runs_as_many_queries_for_30_tasks_as_for_3(
    world: World,
) -> None:
    event = Event.objects.create(
        account=world.account,
        kind=EventKind.NPS_DETRACTOR,
        source="response:999",
        data={"response_id": 999},
    )

    def tasks(n: int) -> None:
        for i in range(n):
            made = task(world, f"T{i}", due=i % 5 - 2, event=event, created_by=world.admin)
            TaskNoteFactory.create_batch(2, task=made)

    client = client_for(world.csm)
    tasks(3)
    before = page_queries(client, reverse("today"))
    tasks(27)
    assert_same_queries(before, page_queries(client, reverse("today")), "Today with notes")


# Home -------------------------------------------------------------------------------------------


def test_after_signing_in_vendor_staff_land_on_today_and_customers_on_their_account(
    world: World,
) -> None:
    for person in (world.csm, world.admin):
        assert client_for(person).get("/", follow=True).redirect_chain[-1][0] == reverse("today")
    chain = client_for(world.champion).get("/", follow=True).redirect_chain
    assert chain[-1][0] == reverse("account_home", args=[world.account.slug])


# The team's load --------------------------------------------------------------------------------


def test_a_cs_admin_sees_every_csms_load(world: World) -> None:
    task(world, "Late", due=-2)
    task(world, "Later still", due=-5)
    task(world, "Now", due=0)
    task(world, "Soon", due=3)
    task(world, "Snoozed", due=-1, snoozed_until=DAY + timedelta(days=2))
    task(world, "Done", due=-1, done_at=NOW)
    CSMTaskFactory.create(account=world.other_account, assignee=world.other_csm, due_on=DAY)
    page = client_for(world.admin).get(reverse("today")).content.decode()
    team = page[page.index('id="team-load-title"') : page.index('id="today-board"')]
    rows = {
        m.group(1): text_of(m.group(2))
        for m in re.finditer(
            r'<th scope="row"><a href="[^"]*\?assignee=(\d+)">.*?</a></th>(.*?)</tr>', team, re.S
        )
    }
    # Open (snoozed too), overdue, due today, accounts owned.
    assert rows[str(world.csm.pk)] == "5 2 1 1"
    assert rows[str(world.other_csm.pk)] == "1 0 1 1"


def test_the_team_load_links_to_today_for_that_csm(world: World) -> None:
    task(world, "Mine")
    CSMTaskFactory.create(account=world.other_account, assignee=world.other_csm, title="Theirs")
    page = client_for(world.admin).get(reverse("today"), {"assignee": world.other_csm.pk})
    board = page.content.decode().split('id="today-board"')[1]
    assert "Theirs" in board and "Mine" not in board


def test_a_csm_sees_no_team_load_and_cannot_look_at_someone_elses_tasks(world: World) -> None:
    task(world, "Mine")
    CSMTaskFactory.create(account=world.other_account, assignee=world.other_csm, title="Theirs")
    page = client_for(world.csm).get(reverse("today"), {"assignee": world.other_csm.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Team load" not in html
    assert "Theirs" not in html and "Mine" in html  # the filter is ignored: their own day


def test_the_team_load_is_one_query_however_many_csms(world: World) -> None:
    task(world, "Call Dana", due=-1)  # the board has rows either way: only the team grows
    assert count_queries(lambda: list(team_load(DAY))) == 1
    client = client_for(world.admin)
    before = page_queries(client, reverse("today"))
    for _ in range(6):
        csm = CSMFactory.create()
        account = AccountFactory.create(owner=csm)
        CSMTaskFactory.create(account=account, assignee=csm, due_on=DAY - timedelta(days=1))
    assert count_queries(lambda: list(team_load(DAY))) == 1
    assert len(team_load(DAY)) == 8
    assert_same_queries(before, page_queries(client, reverse("today")), "Team load")


# The morning digest -----------------------------------------------------------------------------


def mails_to(user: User) -> list[Any]:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_the_digest_is_scheduled_every_hour_for_each_persons_morning() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["task-digests"]
    assert entry["task"] == "playbooks.send_task_digests"
    assert entry["schedule"] == crontab(minute=0)


def test_each_csm_gets_their_overdue_and_due_tasks_by_account(world: World) -> None:
    task(world, "Call Dana", due=-3)
    task(world, "Send the QBR deck", due=0)
    task(world, "Next week", due=5)
    task(world, "Snoozed", due=-1, snoozed_until=DAY + timedelta(days=1))
    task(world, "Done already", due=-1, done_at=NOW)
    second = AccountFactory.create(name="Zenith", owner=world.csm)
    CSMTaskFactory.create(account=second, assignee=world.csm, title="Renewal call", due_on=DAY)
    CSMTaskFactory.create(account=world.other_account, assignee=world.other_csm, title="Theirs")

    assert send_task_digests(DAY) == 2
    [message] = mails_to(world.csm)
    assert message.subject == "Today: 1 overdue and 2 due today"
    body = message.body
    assert body.index("ACME") < body.index("Call Dana") < body.index("ZENITH")
    assert "Call Dana: overdue, was due 13 November" in body
    assert "Send the QBR deck: due today" in body and "Renewal call: due today" in body
    for absent in ("Next week", "Snoozed", "Done already", "Theirs"):
        assert absent not in body
    assert settings.SITE_URL + reverse("today") in body
    html = message.alternatives[0][0]
    assert f'href="{settings.SITE_URL}{reverse("today")}#task-' in html
    [theirs] = mails_to(world.other_csm)
    assert "Theirs" in theirs.body and "Call Dana" not in theirs.body
    sent = TaskDigestSent.objects.get(user=world.csm, day=DAY)
    assert len(sent.task_ids) == 3


@pytest.mark.parametrize(
    "delivery,gets_it",
    [(Delivery.OFF, False), (Delivery.DIGEST, True), (Delivery.IMMEDIATELY, True)],
)
def test_the_digest_honours_the_task_email_setting(
    world: World, delivery: str, gets_it: bool
) -> None:
    deliver_as(world.csm, NotificationKind.TASKS, delivery)
    deliver_as(world.other_csm, NotificationKind.ACCOUNT, Delivery.OFF)  # another kind: no effect
    task(world, "Call Dana", due=-1)
    CSMTaskFactory.create(account=world.other_account, assignee=world.other_csm, due_on=DAY)
    send_task_digests(DAY)
    assert bool(mails_to(world.csm)) is gets_it
    assert len(mails_to(world.other_csm)) == 1


def test_a_second_run_on_the_same_day_sends_nothing(
    world: World, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(NOW.replace(hour=7), tick=False)  # 07:00 in the site's zone (UTC)
    task(world, "Call Dana", due=-1)
    assert send_task_digests_task.apply().get() == 1
    task(world, "Another", due=0)
    assert send_task_digests_task.apply().get() == 0
    assert len(mail.outbox) == 1
    # The next morning is another day.
    assert send_task_digests(DAY + timedelta(days=1)) == 1


def test_someone_already_sent_today_is_skipped(world: World) -> None:
    TaskDigestSentFactory.create(user=world.csm, day=DAY)
    task(world, "Call Dana", due=-1)
    assert send_task_digests(DAY) == 0 and mail.outbox == []


def test_a_failed_send_releases_the_day_so_a_retry_sends_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    task(world, "Call Dana", due=-1)
    CSMTaskFactory.create(account=world.other_account, assignee=world.other_csm, due_on=DAY)
    real = task_digest.send_task_digest

    def fail_for_csm(digest: task_digest.TaskDigest) -> None:
        if digest.user == world.csm:
            raise ConnectionError("mail server down")
        real(digest)

    monkeypatch.setattr(task_digest, "send_task_digest", fail_for_csm)
    with pytest.raises(task_digest.TaskDigestsNotSent):
        send_task_digests(DAY)
    assert not TaskDigestSent.objects.filter(user=world.csm).exists()
    monkeypatch.setattr(task_digest, "send_task_digest", real)
    assert send_task_digests(DAY) == 1
    assert len(mails_to(world.csm)) == 1 and len(mails_to(world.other_csm)) == 1


def test_collecting_the_digests_is_two_queries_however_many_tasks(world: World) -> None:
    task(world, "One", due=-1)
    few = count_queries(lambda: collect_task_digests(DAY))
    for n in range(20):
        account = AccountFactory.create(owner=CSMFactory.create())
        CSMTaskFactory.create(account=account, due_on=DAY - timedelta(days=n % 3))
    assert count_queries(lambda: collect_task_digests(DAY)) == few == 2


# The e-mail when a task comes to someone --------------------------------------------------------


def test_a_task_handed_over_is_emailed_at_once_to_who_wants_it_immediately(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    call = task(world, "Call Dana", due=1)
    client = client_for(world.csm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("task_reassign", args=[call.pk]),
            {"assignee": world.other_csm.pk},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    [message] = mails_to(world.other_csm)
    assert message.subject == f"New task for {world.account.name}: Call Dana"
    assert f"{world.csm.display_name} gave you a task" in message.body


def test_handing_over_costs_the_request_one_job_row_and_no_setting_lookup(world: World) -> None:
    call = task(world, "Call Dana", due=1)
    client = client_for(world.csm)
    client.get(reverse("today"))
    before = set(Job.objects.values_list("pk", flat=True))  # the world's "account created" ones
    with counting() as queries:
        client.post(
            reverse("task_reassign", args=[call.pk]),
            {"assignee": world.other_csm.pk},
            HTTP_HX_REQUEST="true",
        )
    [job] = Job.objects.exclude(pk__in=before)
    assert job.task == "playbooks.send_task_assigned"
    assert job.kwargs == {
        "task_id": call.pk,
        "assignee_id": world.other_csm.pk,
        "by_user_id": world.csm.pk,
    }
    assert not [sql for sql in queries.sql if "notificationsetting" in sql.lower()]
    assert len([sql for sql in queries.sql if 'INSERT INTO "portal_job"' in sql]) == 1


@pytest.mark.parametrize("delivery", [Delivery.DIGEST, Delivery.OFF])
def test_no_email_at_once_unless_chosen(
    world: World, django_capture_on_commit_callbacks: Any, delivery: str
) -> None:
    deliver_as(world.other_csm, NotificationKind.TASKS, delivery)
    call = task(world, "Call Dana", due=1)
    with django_capture_on_commit_callbacks(execute=True):
        reassign_task(call, assignee=world.other_csm, acting_user=world.csm)
    assert mail.outbox == []


def test_a_task_someone_gives_themselves_makes_no_job(world: World) -> None:
    create_task(
        world.account, title="Note to self", due_on=DAY, assignee=world.csm, acting_user=world.csm
    )
    assert not Job.objects.filter(task="playbooks.send_task_assigned").exists()


def test_a_task_made_by_hand_for_someone_else_is_emailed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        create_task(
            world.account, title="Cover my QBR", due_on=DAY, assignee=world.csm,
            acting_user=world.admin,
        )  # fmt: skip
    [message] = mails_to(world.csm)
    assert f"{world.admin.display_name} gave you a task" in message.body


def test_a_task_from_a_playbook_is_emailed_with_the_playbooks_name(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    playbook = Playbook.objects.get(key="detractor-follow-up")
    Playbook.objects.filter(pk=playbook.pk).update(enabled=True)
    survey = make_survey(world.csm, Kind.NPS)
    delivery = deliver(make_campaign(survey, world.csm), world.champion, account=world.account)
    with django_capture_on_commit_callbacks(execute=True):
        record_response(delivery, 2, channel="portal")
    assert CSMTask.objects.filter(assignee=world.csm, run__isnull=False).exists()
    [message] = [m for m in mails_to(world.csm) if m.subject.startswith("New task")]
    assert f"The playbook “{playbook.name}” made you a task" in message.body


def test_a_task_done_before_the_job_runs_is_not_emailed(world: World) -> None:
    call = task(world, "Call Dana", done_at=NOW)
    assert task_digest.send_task_assigned(call.pk, world.csm.pk, world.admin.pk) is False
    assert mail.outbox == []
