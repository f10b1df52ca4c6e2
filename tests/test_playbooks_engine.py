"""Playbook runs over time: delayed steps and the scheduler, stop conditions, failures and
retries, pausing an account, the runs panel and pages, and a real worker on Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.change_words import change_value
from accounts.models import Account, Activity, Segment
from playbooks.models import (
    AccountPause,
    CSMTask,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    RunStatus,
    RunStep,
    StepKind,
    StepStatus,
    StopIf,
)
from playbooks.services.csm_tasks import complete_task
from playbooks.services.runs import (
    evaluate_event,
    pause_account,
    resume_account,
    run_due_step,
    run_due_steps,
)
from playbooks.steps import STEP_KINDS, Outcome, StepContext, StepFailed, StepKindSpec, register
from portal.celery import app
from portal.jobs import MAX_ATTEMPTS, enqueue
from portal.models import Job
from surveys.models import Kind
from surveys.services import record_response
from tests.celery_helpers import REDIS_URL, real_worker
from tests.conftest import World, client_for
from tests.factories import AccountFactory, EventFactory, PortalVisitFactory
from tests.panels import account_page
from tests.queries import assert_same_queries, count_queries, page_queries
from tests.snapshot import unchanged
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts at NOW with the clock stopped; the worker tests keep the real clock
    (their worker thread must see time pass)."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    with time_machine.travel(NOW, tick=False):
        yield


def at(moment: datetime) -> Any:
    return time_machine.travel(moment, tick=False)


# Step kinds that exist only here ----------------------------------------------------------------

CALLS: list[int] = []


def _flaky(context: StepContext) -> Outcome:
    """Fails twice for a run, then succeeds."""
    CALLS.append(context.run.pk)
    if CALLS.count(context.run.pk) <= 2:
        raise StepFailed(f"the mail server said no (call {CALLS.count(context.run.pk)})")
    return Outcome.done("done on the third call")


def _broken(context: StepContext) -> Outcome:
    CALLS.append(context.run.pk)
    raise StepFailed("the e-mail template “welcome” is gone")


def _crash(context: StepContext) -> Outcome:
    CALLS.append(context.run.pk)
    raise ValueError("a bug")


@pytest.fixture(autouse=True)
def _test_step_kinds() -> Iterator[None]:
    CALLS.clear()
    for kind, run in (("test_flaky", _flaky), ("test_broken", _broken), ("test_crash", _crash)):
        register(StepKindSpec(kind, [], run, lambda params, account: "a test step"))
    yield
    for kind in ("test_flaky", "test_broken", "test_crash"):
        STEP_KINDS.pop(kind, None)


# Helpers ----------------------------------------------------------------------------------------


def playbook_with(*steps: dict[str, Any], name: str = "Win them back") -> Playbook:
    """An enabled playbook on a detractor answer with ``steps`` (kind, delay_days, stop_if,
    params), in order."""
    playbook = Playbook.objects.create(name=name, trigger="nps_detractor", enabled=True)
    for position, step in enumerate(steps):
        PlaybookStep.objects.create(
            playbook=playbook,
            position=position,
            kind=step.get("kind", StepKind.CREATE_TASK),
            delay_days=step.get("delay_days", 0),
            stop_if=step.get("stop_if", StopIf.NEVER),
            params=step.get("params", {"title": step.get("title", f"Step {position + 1}")}),
        )
    return playbook


def task(title: str, delay_days: int = 0, stop_if: str = StopIf.NEVER) -> dict[str, Any]:
    return {"title": title, "delay_days": delay_days, "stop_if": stop_if}


def fire(account: Account) -> PlaybookRun:
    """A detractor event on ``account``; the one run it started."""
    event = EventFactory.create(account=account)
    runs = evaluate_event(event)
    assert len(runs) == 1, runs
    return runs[0]


def steps_of(run: PlaybookRun) -> list[tuple[str, str]]:
    return [(s.status, s.detail) for s in run.run_steps.order_by("position")]


def statuses(run: PlaybookRun) -> list[str]:
    return [s for s, _ in steps_of(run)]


def deliver_job(job: Job) -> Any:
    """One delivery of ``job`` as a worker makes it (not eagerly): a failure leaves the job
    queued for its retry, the way the broker would bring it back."""
    try:
        return app.tasks[job.task](**job.kwargs, job_id=str(job.pk))
    except StepFailed:
        return "retry"


def step_jobs() -> list[Job]:
    return list(Job.objects.filter(task="playbooks.run_step").order_by("created_at"))


def open_step_job() -> Job:
    return Job.objects.get(task="playbooks.run_step", status__in=["unsent", "queued"])


# Delayed steps and the scheduler ----------------------------------------------------------------


def test_a_delayed_step_waits_until_it_is_due_then_the_scheduler_runs_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    playbook = playbook_with(task("Call them"), task("Check they are happier", delay_days=3))
    run = fire(world.account)
    assert steps_of(run)[1] == ("waiting", "waits 3 days")
    waiting = run.run_steps.get(position=1)
    assert waiting.due_at == NOW + 3 * DAY
    assert [t.title for t in CSMTask.objects.all()] == ["Call them"]
    assert run.status == RunStatus.RUNNING

    with at(NOW + 3 * DAY - timedelta(minutes=1)):
        assert run_due_steps() == 0
    with at(NOW + 3 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 1
    assert sorted(t.title for t in CSMTask.objects.all()) == ["Call them", "Check they are happier"]
    run.refresh_from_db()
    assert statuses(run) == ["done", "done"]
    assert run.status == RunStatus.DONE and run.finished_at == NOW + 3 * DAY
    later = Activity.objects.get(verb="ran a step of")
    assert later.account == world.account and later.internal
    assert later.target_label == f"playbook “{playbook.name}”"
    assert later.after is not None
    assert change_value(later.after["step"], None) == "Step 2 (Create a task for the CSM)"
    assert change_value(later.after["outcome"], None).startswith(
        "Done: task “Check they are happier”"
    )
    with at(NOW + 4 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 0  # nothing runs twice
    assert CSMTask.objects.count() == 2


def test_a_later_step_never_runs_before_an_earlier_waiting_one(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # Step 3 is due a day before step 2: it waits for step 2 all the same.
    playbook_with(task("First"), task("Second", delay_days=2), task("Third", delay_days=1))
    run = fire(world.account)
    with at(NOW + DAY + timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 0
    assert statuses(run) == ["done", "waiting", "waiting"]
    with at(NOW + 2 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 1  # the second; it hands on to the third, due already
    assert statuses(run) == ["done", "done", "done"]
    assert [t.title for t in CSMTask.objects.order_by("pk")] == ["First", "Second", "Third"]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


def test_a_step_is_claimed_once_however_many_schedulers_run(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    playbook_with(task("Later", delay_days=1))
    run = fire(world.account)
    with at(NOW + DAY):
        with django_capture_on_commit_callbacks(execute=False):
            assert run_due_steps() == 1
        with django_capture_on_commit_callbacks(execute=False):
            assert run_due_steps() == 0  # a second scheduler, before the job ran
        assert statuses(run) == ["running"]
        job = open_step_job()
        assert job.kwargs == {"step_id": run.run_steps.get().pk}
        assert deliver_job(job) == "done"
        # The broker delivers the job again, and a second job for the step turns up: no-ops.
        Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
        assert deliver_job(job) == "nothing to do"
        assert run_due_step(run.run_steps.get().pk) == "nothing to do"
    assert CSMTask.objects.count() == 1
    assert len(step_jobs()) == 1


def test_the_scheduler_claims_1_or_5_due_steps_with_the_same_queries(world: World) -> None:
    playbook_with(task("Later", delay_days=1))

    def due_on(count: int) -> int:
        for _ in range(count):
            fire(AccountFactory.create())
        with at(NOW + DAY):
            queries = count_queries(run_due_steps)
        claimed = RunStep.objects.filter(status=StepStatus.RUNNING).count()
        RunStep.objects.filter(status=StepStatus.RUNNING).update(status=StepStatus.DONE)
        assert claimed == count
        return queries

    one = due_on(1)
    assert_same_queries(one, due_on(5), "the scheduler's claim")
    assert Job.objects.filter(task="playbooks.run_step").count() == 6


def test_the_scheduler_is_on_the_beat_schedule() -> None:
    entry = next(
        e
        for e in django_settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "playbooks.run_due_steps"
    )
    assert entry["schedule"] == timedelta(minutes=10)
    assert "playbooks.run_due_steps" in app.tasks and "playbooks.run_step" in app.tasks


# Stop conditions --------------------------------------------------------------------------------


def logged_in(world: World, run: PlaybookRun) -> str:
    PortalVisitFactory.create(
        user=world.champion, account=world.account, day=(NOW + DAY).date(), logins=1,
        last_seen_at=NOW + DAY,
    )  # fmt: skip
    return f"stopped: {world.champion.display_name} logged in on 17 Nov 2026"


def task_done(world: World, run: PlaybookRun) -> str:
    made = CSMTask.objects.get(run=run)
    with at(NOW + DAY):
        complete_task(made, acting_user=world.csm)
    return f"stopped: the task “{made.title}” was done on 17 Nov 2026"


def answered(world: World, run: PlaybookRun) -> str:
    delivery = deliver(
        make_campaign(make_survey(world.csm, Kind.NPS), world.csm),
        world.member,
        account=world.account,
    )
    with at(NOW + DAY):
        record_response(delivery, 9, channel="portal")
    return f"stopped: {world.member.display_name} answered a survey (NPS 9) on 17 Nov 2026"


@pytest.mark.parametrize(
    "stop_if,happen",
    [(StopIf.LOGGED_IN, logged_in), (StopIf.TASK_DONE, task_done), (StopIf.ANSWERED, answered)],
)
def test_a_stop_condition_that_happened_stops_the_step_and_every_later_one(
    world: World,
    django_capture_on_commit_callbacks: Any,
    stop_if: str,
    happen: Callable[[World, PlaybookRun], str],
) -> None:
    playbook_with(
        task("Call them"),
        task("Nudge them", delay_days=2, stop_if=stop_if),
        task("Nudge again", delay_days=5),
    )
    run = fire(world.account)
    why = happen(world, run)
    with at(NOW + 2 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 1
    assert steps_of(run)[1:] == [("stopped", why), ("stopped", why)]
    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    assert [t.title for t in CSMTask.objects.all()] == ["Call them"]
    logged = Activity.objects.get(verb="stopped")
    assert logged.after is not None and logged.after["steps stopped"] == 2
    assert change_value(logged.after["why"], None) == why.removeprefix("stopped: ")
    with at(NOW + 6 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 0


@pytest.mark.parametrize("stop_if", [StopIf.LOGGED_IN, StopIf.TASK_DONE, StopIf.ANSWERED])
def test_a_stop_condition_that_did_not_happen_since_the_run_began_stops_nothing(
    world: World, django_capture_on_commit_callbacks: Any, stop_if: str
) -> None:
    # Before the run: a log-in that morning and a survey answer the day before.
    PortalVisitFactory.create(
        user=world.champion, account=world.account, day=NOW.date(), logins=2,
        last_seen_at=NOW - timedelta(hours=1),
    )  # fmt: skip
    delivery = deliver(
        make_campaign(make_survey(world.csm), world.csm), world.member, account=world.account
    )
    with at(NOW - DAY):
        record_response(delivery, 9, channel="portal")
    # Someone of another account logs in after it began.
    PortalVisitFactory.create(
        account=world.other_account, day=(NOW + DAY).date(), logins=1, last_seen_at=NOW + DAY
    )
    playbook_with(task("Call them"), task("Nudge them", delay_days=2, stop_if=stop_if))
    run = fire(world.account)
    with at(NOW + 2 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 1
    assert statuses(run) == ["done", "done"]


# Failures and retries ---------------------------------------------------------------------------


def test_a_failing_step_at_fire_time_keeps_the_run_and_is_retried_until_it_works(
    world: World,
) -> None:
    playbook_with({"kind": "test_flaky"}, task("After it"))
    run = fire(world.account)  # the first call fails
    assert PlaybookRun.objects.get() == run
    assert steps_of(run) == [
        ("running", "attempt 1 failed: the mail server said no (call 1); trying again"),
        ("waiting", "waits for the step before it"),
    ]
    assert not CSMTask.objects.exists()  # the later step waits for the one being retried
    assert evaluate_event(run.event) == []  # delivered again: still one run

    assert deliver_job(open_step_job()) == "retry"  # the second call fails
    assert steps_of(run)[0] == (
        "running",
        "attempt 2 failed: the mail server said no (call 2); trying again",
    )
    assert deliver_job(open_step_job()) == "done"  # the third works, and hands on
    assert deliver_job(open_step_job()) == "done"
    assert steps_of(run)[0] == ("done", "done on the third call")
    assert statuses(run) == ["done", "done"]
    assert run.run_steps.get(position=0).attempts == 3
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert [t.title for t in CSMTask.objects.all()] == ["After it"]


def test_a_step_that_always_fails_is_failed_with_its_reason_and_the_later_steps_still_run(
    world: World,
) -> None:
    playbook_with({"kind": "test_broken"}, task("After it"))
    run = fire(world.account)
    for _ in range(MAX_ATTEMPTS):
        deliver_job(open_step_job())
    assert [run.pk] * (MAX_ATTEMPTS + 1) == CALLS  # at fire time, then each job attempt
    failed = run.run_steps.get(position=0)
    assert failed.status == StepStatus.FAILED
    assert failed.detail == (
        f"failed after {MAX_ATTEMPTS + 1} attempts: the e-mail template “welcome” is gone"
    )
    assert deliver_job(open_step_job()) == "done"
    assert statuses(run) == ["failed", "done"]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    logged = Activity.objects.get(verb="could not run a step of")
    assert logged.after is not None and "is gone" in change_value(logged.after["outcome"], None)
    page = client_for(world.csm).get(reverse("playbook_run", args=[world.account.slug, run.pk]))
    html = page.content.decode()
    assert 'class="pb-step pb-step-failed"' in html
    assert "the e-mail template “welcome” is gone" in html


def test_an_unexpected_error_in_a_step_is_retried_like_a_failure(world: World) -> None:
    playbook_with({"kind": "test_crash"})
    run = fire(world.account)
    assert steps_of(run) == [
        ("running", "attempt 1 failed: an unexpected error (ValueError: a bug); trying again")
    ]
    for _ in range(MAX_ATTEMPTS):
        deliver_job(open_step_job())
    assert statuses(run) == ["failed"]
    assert "an unexpected error (ValueError: a bug)" in steps_of(run)[0][1]


def test_one_accounts_failing_step_holds_up_no_other_account(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    broken = playbook_with({"kind": "test_broken", "delay_days": 1}, name="Broken")
    fine = playbook_with(task("Call them", delay_days=1), name="Fine")
    Playbook.objects.filter(pk=broken.pk).update(conditions={"segment": [Segment.ENTERPRISE]})
    Playbook.objects.filter(pk=fine.pk).update(conditions={"segment": [Segment.SMB]})
    Account.objects.filter(pk=world.account.pk).update(segment=Segment.ENTERPRISE)
    Account.objects.filter(pk=world.other_account.pk).update(segment=Segment.SMB)
    failing_run, ok_run = fire(world.account), fire(world.other_account)
    with at(NOW + DAY), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 2  # jobs run in-process: a failure there is final
    assert statuses(failing_run) == ["failed"]
    assert statuses(ok_run) == ["done"]
    assert CSMTask.objects.get().account == world.other_account


# Pausing an account -----------------------------------------------------------------------------


def test_while_paused_no_run_starts_and_waiting_steps_wait_until_the_resume(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    playbook_with(task("Call them"), task("Later", delay_days=1))
    run = fire(world.account)
    pause_account(world.account, note="Escalation", acting_user=world.csm)
    assert evaluate_event(EventFactory.create(account=world.account)) == []
    with at(NOW + 2 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 0
    assert statuses(run) == ["done", "waiting"]
    with at(NOW + 2 * DAY):
        assert resume_account(world.account, acting_user=world.csm) == 1
    with at(NOW + 2 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert run_due_steps() == 1
    assert statuses(run) == ["done", "done"]
    logged = Activity.objects.filter(actor=world.csm).order_by("pk")
    assert [(a.verb, a.account, a.after) for a in logged] == [
        ("paused playbooks for", world.account, {"note": "Escalation"}),
        ("resumed playbooks for", world.account, {"steps due now": 1}),
    ]


def test_a_step_claimed_before_the_pause_goes_back_to_waiting(world: World) -> None:
    playbook_with(task("Later", delay_days=1))
    run = fire(world.account)
    with at(NOW + DAY):
        run_due_steps()
        pause_account(world.account, note="", acting_user=world.admin)
        assert deliver_job(open_step_job()) == "paused"
    assert steps_of(run) == [("waiting", "held: playbooks are paused on this account")]
    assert not CSMTask.objects.exists()


def test_a_csm_pauses_and_resumes_playbooks_in_place(world: World) -> None:
    client = client_for(world.csm)
    pause_url = reverse("playbooks_pause", args=[world.account.slug])
    page = client.post(
        pause_url, {"note": "Escalation until the fix ships"}, HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="playbook-runs"' in html and "Resume playbooks" in html
    assert "“Escalation until the fix ships”" in html
    pause = AccountPause.objects.get(account=world.account)
    assert pause.paused_by == world.csm and pause.note == "Escalation until the fix ships"

    page = client.post(
        reverse("playbooks_resume", args=[world.account.slug]), HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 200 and "Pause playbooks" in page.content.decode()
    assert not AccountPause.objects.exists()

    # Without htmx: back to the account page.
    page = client.post(pause_url, {"note": ""})
    assert page.status_code == 302 and page["Location"] == world.account.get_absolute_url()
    assert AccountPause.objects.filter(account=world.account, note="").exists()


def test_junk_pause_and_resume_are_refused_and_change_nothing(world: World) -> None:
    client = client_for(world.csm)
    with unchanged():
        page = client.post(
            reverse("playbooks_pause", args=[world.account.slug]),
            {"note": "x" * 301},
            HTTP_HX_REQUEST="true",
        )
    assert page.status_code == 422 and "300 characters" in page.content.decode()
    with unchanged():
        page = client.post(reverse("playbooks_resume", args=[world.account.slug]))
    assert page.status_code == 422 and "not paused" in page.content.decode()


@pytest.mark.parametrize(
    "persona,status",
    [("champion", 403), ("executive", 403), ("member", 403), ("other_csm", 404)],
)
def test_only_the_owner_csm_and_admins_pause(world: World, persona: str, status: int) -> None:
    client = client_for(world.persona(persona))
    with unchanged():
        page = client.post(reverse("playbooks_pause", args=[world.account.slug]), {"note": "no"})
    assert page.status_code == status


# The panel and the pages ------------------------------------------------------------------------


def test_the_account_panel_shows_why_each_run_fired_and_each_steps_state(world: World) -> None:
    playbook_with(
        task("Call them"), {"kind": "test_broken"}, task("Check in", delay_days=3),
        name="Detractor recovery",
    )  # fmt: skip
    run = fire(world.account)
    for _ in range(MAX_ATTEMPTS):
        deliver_job(open_step_job())
    html = account_page(client_for(world.csm), world.account.slug).content.decode()
    assert "Playbook runs" in html and "Detractor recovery" in html
    assert run.reason in html
    assert 'class="pb-step pb-step-failed"' in html and "“welcome” is gone" in html
    assert "Due 19 Nov 2026, 09:00" in html  # the waiting step
    assert reverse("playbook_run", args=[world.account.slug, run.pk]) in html
    assert "Pause every playbook for" in html
    for customer in (world.champion, world.executive, world.member):
        page = account_page(client_for(customer), world.account.slug).content.decode()
        assert "Playbook runs" not in page and "Detractor recovery" not in page


def test_the_account_page_runs_the_same_queries_for_one_run_and_five(world: World) -> None:
    playbook_with(task("Call them"), task("Check in", delay_days=3))
    client = client_for(world.csm)
    url = reverse("account_panel", args=[world.account.slug, "runs"])
    fire(world.account)
    one = page_queries(client, url)
    for _ in range(4):
        fire(world.account)
    assert_same_queries(one, page_queries(client, url), "account page with runs")


def test_the_run_pages_show_the_accounts_runs_only(world: World) -> None:
    playbook_with(task("Call them"))
    mine, theirs = fire(world.account), fire(world.other_account)
    client = client_for(world.csm)
    page = client.get(reverse("playbook_runs", args=[world.account.slug]))
    assert page.status_code == 200 and mine.reason in page.content.decode()
    page = client.get(reverse("playbook_run", args=[world.account.slug, mine.pk]))
    assert page.status_code == 200 and "task “Call them”" in page.content.decode()
    page = client.get(reverse("playbook_run", args=[world.account.slug, theirs.pk]))
    assert page.status_code == 404


# A real worker ----------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (TEST_CELERY_BROKER_URL)")
@pytest.mark.django_db(transaction=True)
class TestRealWorker:
    def test_a_delayed_step_runs_on_the_worker_once_the_scheduler_finds_it_due(
        self, world: World
    ) -> None:
        from tests.test_jobs import wait_for

        playbook_with(task("Call them"), task("Check in four days on", delay_days=4))
        run = fire(world.account)
        assert CSMTask.objects.count() == 1
        later = (timezone.now() + 4 * DAY + timedelta(minutes=1)).isoformat()
        with real_worker():
            with transaction.atomic():
                enqueue("playbooks.run_due_steps", now=later)
            wait_for(lambda: CSMTask.objects.filter(title="Check in four days on").exists())
            wait_for(lambda: PlaybookRun.objects.get(pk=run.pk).status == RunStatus.DONE)
        assert statuses(run) == ["done", "done"]
        assert Job.objects.get(task="playbooks.run_due_steps").status == Job.Status.DONE
        assert Job.objects.get(task="playbooks.run_step").status == Job.Status.DONE

    def test_a_failing_step_is_retried_by_the_worker_until_it_works(
        self, world: World, settings: Any
    ) -> None:
        from tests.test_jobs import wait_for

        settings.JOB_RETRY_BACKOFF = 0.2
        playbook = playbook_with(task("Call them"), task("Then this"))
        PlaybookStep.objects.filter(playbook=playbook, position=0).update(kind="test_flaky")
        with real_worker():
            run = fire(world.account)  # fails once here; the job on the worker does the rest
            wait_for(lambda: PlaybookRun.objects.get(pk=run.pk).status == RunStatus.DONE, 30)
        assert steps_of(run)[0] == ("done", "done on the third call")
        assert statuses(run) == ["done", "done"]
        assert [run.pk] * 3 == CALLS
        assert [t.title for t in CSMTask.objects.all()] == ["Then this"]


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="SKIP LOCKED is PostgreSQL's; SQLite serialises writers instead",
)
@pytest.mark.django_db(transaction=True)
def test_a_second_scheduler_skips_the_steps_the_first_is_claiming(world: World) -> None:
    """While one scheduler holds its due steps (locked, not yet committed), another one at the
    same moment takes none of them and does not wait for them."""
    import threading

    from django.db import connection

    playbook_with(task("Later", delay_days=1))
    run = fire(world.account)
    claimed_by_the_other: list[int] = []

    def other_scheduler() -> None:
        try:
            with at(NOW + DAY):
                claimed_by_the_other.append(run_due_steps())
        finally:
            connection.close()

    with at(NOW + DAY), transaction.atomic():
        held = list(RunStep.objects.select_for_update().filter(run=run, status="waiting"))
        assert len(held) == 1
        thread = threading.Thread(target=other_scheduler)
        thread.start()
        thread.join(20)
    assert claimed_by_the_other == [0]
    assert statuses(run) == ["waiting"]
    with at(NOW + DAY):
        assert run_due_steps() == 1
