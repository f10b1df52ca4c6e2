"""The playbook editor, its checking service, applying an edit to runs under way, and the
preview before enabling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import Activity, Segment, Stage
from playbooks import detectors
from playbooks.detectors import Candidate
from playbooks.models import (
    CSMTask,
    EventKind,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    RunStatus,
    RunStep,
    StepKind,
    StepStatus,
    StopIf,
)
from playbooks.params import ParamField
from playbooks.services.playbooks import PlaybookInvalid, save_playbook
from playbooks.steps import STEP_KINDS, Outcome, StepKindSpec, load
from portal.models import Job
from tests.conftest import World, client_for
from tests.factories import (
    AccountFactory,
    PlaybookFactory,
    PlaybookRunFactory,
    PlaybookStepFactory,
    RunStepFactory,
    TagFactory,
)
from tests.queries import assert_same_queries, page_queries
from tests.snapshot import unchanged

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


TEMPLATES = {"welcome-1": "Welcome"}


@pytest.fixture
def more_kinds() -> Iterator[None]:
    """Two step kinds as other modules register them: one checking that its e-mail template
    exists, one that raises "stage changed" itself."""
    load()
    saved = {
        kind: STEP_KINDS.get(kind) for kind in (StepKind.SEND_EMAIL, StepKind.SET_ACCOUNT_FIELD)
    }

    def template_exists(params: dict[str, Any]) -> list[str]:
        key = params.get("template", "")
        return [] if key in TEMPLATES else [f"the template “{key}” does not exist."]

    STEP_KINDS[StepKind.SEND_EMAIL] = StepKindSpec(
        StepKind.SEND_EMAIL,
        [ParamField("template", "Template")],
        run=lambda context: Outcome.done("sent"),
        describe=lambda params, account: f"the e-mail “{params['template']}” to {account.name}",
        validate=template_exists,
    )
    STEP_KINDS[StepKind.SET_ACCOUNT_FIELD] = StepKindSpec(
        StepKind.SET_ACCOUNT_FIELD,
        [ParamField("stage", "Stage", kind="choice", choices=lambda: Stage.choices)],
        run=lambda context: Outcome.done("set"),
        describe=lambda params, account: f"stage set to {params['stage']}",
        raises=frozenset({EventKind.STAGE_CHANGED}),
    )
    yield
    for kind, spec in saved.items():
        if spec is None:
            STEP_KINDS.pop(kind, None)
        else:
            STEP_KINDS[kind] = spec


def task_step(title: str = "Call {person}", delay: int | str = 0, **extra: Any) -> dict[str, Any]:
    return {
        "kind": StepKind.CREATE_TASK,
        "delay_days": delay,
        "stop_if": "",
        "params": {"title": title, "due_in_days": "2", "priority": "high", "reason": ""},
        **extra,
    }


def data(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Renewal check",
        "description": "Ninety days out, the CSM checks the renewal.",
        "trigger": EventKind.RENEWAL_DUE,
        "trigger_params": {"days": "90"},
        "conditions": {"segment": ["enterprise"], "mrr_min": "1000"},
        "steps": [task_step("Plan the renewal of {account}"), task_step("Chase", delay=7)],
        **overrides,
    }


def signed_in(user: Any) -> Any:
    """A client past its first request, so the session is settled before a snapshot."""
    client = client_for(user)
    client.get(reverse("playbooks"))
    return client


# The service ------------------------------------------------------------------------------------


def test_a_new_playbook_is_saved_cleaned_and_logged(world: World) -> None:
    playbook = save_playbook(None, data=data(), apply_to_runs=False, acting_user=world.admin)
    assert (playbook.name, playbook.trigger, playbook.version) == (
        "Renewal check",
        EventKind.RENEWAL_DUE,
        1,
    )
    assert playbook.trigger_params == {"days": 90}
    assert playbook.conditions == {"segment": ["enterprise"], "mrr_min": 1000}
    assert not playbook.enabled
    steps = list(playbook.steps.values_list("position", "kind", "delay_days", "params"))
    assert steps == [
        (0, "create_task", 0, {"title": "Plan the renewal of {account}", "due_in_days": 2, "priority": "high"}),
        (1, "create_task", 7, {"title": "Chase", "due_in_days": 2, "priority": "high"}),
    ]  # fmt: skip
    entry = Activity.objects.get(verb="created a playbook")
    assert entry.actor == world.admin and (entry.after or {})["version"] == 1


def test_an_edit_raises_the_version_replaces_the_steps_and_logs_before_and_after(
    world: World,
) -> None:
    playbook = save_playbook(None, data=data(), apply_to_runs=False, acting_user=world.admin)
    edited = save_playbook(
        playbook,
        data=data(name="Renewal call", steps=[task_step("Only this")]),
        apply_to_runs=False,
        acting_user=world.admin,
    )
    assert edited.version == 2 and edited.name == "Renewal call"
    assert list(
        PlaybookStep.objects.filter(playbook=edited).values_list("params__title", flat=True)
    ) == ["Only this"]
    entry = Activity.objects.get(verb="edited a playbook")
    before, after = entry.before or {}, entry.after or {}
    assert before["name"] == "Renewal check" and before["version"] == 1
    assert after["name"] == "Renewal call" and len(after["steps"]) == 1


def test_stop_if_is_kept_only_for_a_delayed_step(world: World) -> None:
    steps = [
        task_step("Now", stop_if=StopIf.LOGGED_IN),
        task_step("Later", delay=3, stop_if=StopIf.LOGGED_IN),
    ]
    playbook = save_playbook(
        None, data=data(steps=steps), apply_to_runs=False, acting_user=world.admin
    )
    assert list(playbook.steps.values_list("stop_if", flat=True)) == ["", "logged_in"]


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"trigger": ""}, "Choose what the playbook starts from (its trigger)."),
        ({"trigger": "moon_landing"}, "Choose what the playbook starts from (its trigger)."),
        ({"name": "  "}, "Give the playbook a name."),
        ({"trigger_params": {"days": "0"}}, "Trigger settings: days before the renewal must be at least 1."),
        ({"trigger_params": {"days": "soon"}}, "Trigger settings: days before the renewal must be a whole number."),
        ({"conditions": {"segment": ["galactic"]}}, "Conditions: segment: “galactic” does not exist."),
        ({"steps": []}, "Add at least one step: a playbook with none does nothing."),
        ({"steps": [task_step(delay=366)]}, "Step 1 (Create a task for the CSM): the delay must be a whole number of days from 0 to 365."),
        ({"steps": [task_step(delay=-1)]}, "Step 1 (Create a task for the CSM): the delay must be a whole number of days from 0 to 365."),
        ({"steps": [task_step(), task_step(delay="x")]}, "Step 2 (Create a task for the CSM): the delay must be a whole number of days from 0 to 365."),
        ({"steps": [task_step(), {"kind": "launch_rocket", "params": {}}]}, "Step 2: there is no step “launch_rocket” in this portal."),
        ({"steps": [task_step(title="")]}, "Step 1 (Create a task for the CSM): task title is required."),
        ({"steps": [task_step(stop_if="whenever", delay=2)]}, "Step 1 (Create a task for the CSM): choose when the step stops from the list."),
    ],
)  # fmt: skip
def test_a_bad_playbook_is_refused_naming_the_problem_and_saves_nothing(
    world: World, overrides: dict[str, Any], message: str
) -> None:
    with unchanged(), pytest.raises(PlaybookInvalid) as refusal:
        save_playbook(None, data=data(**overrides), apply_to_runs=False, acting_user=world.admin)
    assert message in refusal.value.errors


def test_a_step_kinds_own_check_names_the_step(world: World, more_kinds: None) -> None:
    steps = [
        task_step(),
        {"kind": StepKind.SEND_EMAIL, "delay_days": 1, "params": {"template": "welcome-1"}},
    ]
    save_playbook(None, data=data(steps=steps), apply_to_runs=False, acting_user=world.admin)
    steps[1]["params"] = {"template": "welcome-9"}
    with unchanged(), pytest.raises(PlaybookInvalid) as refusal:
        save_playbook(None, data=data(steps=steps), apply_to_runs=False, acting_user=world.admin)
    assert refusal.value.errors == [
        "Step 2 (Send an e-mail): the template “welcome-9” does not exist."
    ]
    assert refusal.value.at("step-1") == refusal.value.errors


def test_a_step_raising_the_playbooks_own_trigger_is_a_loop(world: World, more_kinds: None) -> None:
    set_stage = {
        "kind": StepKind.SET_ACCOUNT_FIELD,
        "delay_days": 0,
        "params": {"stage": "renewal"},
    }
    looping = data(trigger=EventKind.STAGE_CHANGED, trigger_params={}, steps=[set_stage])
    with unchanged(), pytest.raises(PlaybookInvalid) as refusal:
        save_playbook(None, data=looping, apply_to_runs=False, acting_user=world.admin)
    assert refusal.value.errors == [
        "Step 1 (Set the segment, touch model or stage) raises “Lifecycle stage changed”, "
        "this playbook's own trigger: it would run forever."
    ]
    # On another trigger the same step is fine.
    save_playbook(None, data=data(steps=[set_stage]), apply_to_runs=False, acting_user=world.admin)


def test_a_refused_edit_leaves_the_playbook_as_it_was(world: World) -> None:
    playbook = save_playbook(None, data=data(), apply_to_runs=False, acting_user=world.admin)
    with unchanged(), pytest.raises(PlaybookInvalid):
        save_playbook(
            playbook,
            data=data(name="Changed", steps=[task_step(delay=400)]),
            apply_to_runs=True,
            acting_user=world.admin,
        )


# Runs under way -------------------------------------------------------------------------------


def run_under_way(world: World, playbook: Playbook) -> PlaybookRun:
    """A run started 2 days ago: step 1 done, step 2 (after 5 days) waiting."""
    started = NOW - timedelta(days=2)
    run = PlaybookRunFactory.create(
        playbook=playbook, event__account=world.account, created_at=started, playbook_version=1
    )
    RunStepFactory.create(
        run=run, position=0, status=StepStatus.DONE, due_at=started, params={"title": "Call"}
    )
    RunStepFactory.create(
        run=run,
        position=1,
        delay_days=5,
        due_at=started + timedelta(days=5),
        params={"title": "Chase"},
    )
    return run  # fmt: skip


def three_steps() -> list[dict[str, Any]]:
    return [task_step("Call"), task_step("Chase again", delay=3), task_step("Escalate", delay=10)]


def test_an_edit_leaves_runs_under_way_alone_unless_asked(world: World) -> None:
    playbook = save_playbook(None, data=data(), apply_to_runs=False, acting_user=world.admin)
    run = run_under_way(world, playbook)
    before = list(RunStep.objects.filter(run=run).values())
    save_playbook(
        playbook, data=data(steps=three_steps()), apply_to_runs=False, acting_user=world.admin
    )
    assert list(RunStep.objects.filter(run=run).values()) == before
    run.refresh_from_db()
    assert run.playbook_version == 1


def test_applied_to_runs_under_way_the_waiting_steps_are_replaced(world: World) -> None:
    playbook = save_playbook(None, data=data(), apply_to_runs=False, acting_user=world.admin)
    run = run_under_way(world, playbook)
    finished = PlaybookRunFactory.create(
        playbook=playbook, status=RunStatus.DONE, playbook_version=1
    )
    RunStepFactory.create(run=finished, position=0, status=StepStatus.DONE)
    done_step = RunStep.objects.get(run=run, position=0)
    save_playbook(
        playbook, data=data(steps=three_steps()), apply_to_runs=True, acting_user=world.admin
    )
    run.refresh_from_db()
    assert run.playbook_version == 2
    rows = list(RunStep.objects.filter(run=run).order_by("position"))
    assert [(s.position, s.status, s.params.get("title"), s.due_at) for s in rows] == [
        (0, StepStatus.DONE, "Call", done_step.due_at),  # kept as it was
        (1, StepStatus.WAITING, "Chase again", run.created_at + timedelta(days=3)),
        (2, StepStatus.WAITING, "Escalate", run.created_at + timedelta(days=10)),
    ]
    assert rows[0].pk == done_step.pk
    finished.refresh_from_db()
    assert finished.playbook_version == 1  # a finished run is history
    assert (Activity.objects.get(verb="edited a playbook").after or {})["runs_updated"] == 1


def test_a_run_left_nothing_to_wait_for_by_the_edit_is_done(world: World) -> None:
    playbook = save_playbook(None, data=data(), apply_to_runs=False, acting_user=world.admin)
    run = run_under_way(world, playbook)
    save_playbook(
        playbook, data=data(steps=[task_step("Call")]), apply_to_runs=True, acting_user=world.admin
    )
    run.refresh_from_db()
    assert (run.status, run.finished_at) == (RunStatus.DONE, NOW)
    assert list(run.run_steps.values_list("position", "status")) == [(0, StepStatus.DONE)]  # fmt: skip


# The editor page ---------------------------------------------------------------------------------


def form_post(**overrides: Any) -> dict[str, Any]:
    post: dict[str, Any] = {
        "name": "Renewal check",
        "description": "",
        "trigger": EventKind.RENEWAL_DUE,
        "trigger-days": "60",
        "cond-segment": ["enterprise", "smb"],
        "cond-mrr_min": "",
        "cond-mrr_max": "",
        "cond-renewal_within_days": "",
        "step_count": "2",
        "step-0-kind": "create_task",
        "step-0-delay_days": "0",
        "step-0-stop_if": "",
        "step-0-p-title": "First",
        "step-0-p-due_in_days": "1",
        "step-0-p-priority": "normal",
        "step-0-p-reason": "",
        "step-1-kind": "create_task",
        "step-1-delay_days": "7",
        "step-1-stop_if": "logged_in",
        "step-1-p-title": "Second",
        "step-1-p-due_in_days": "0",
        "step-1-p-priority": "low",
        "step-1-p-reason": "",
        "action": "save",
    }
    post.update(overrides)
    return post


def test_the_editor_shows_the_playbooks_trigger_conditions_and_steps(
    world: World,
) -> None:
    playbook = Playbook.objects.get(key="detractor-follow-up")
    response = client_for(world.admin).get(reverse("playbook_edit", args=[playbook.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="nps_detractor" selected' in html
    assert 'name="step-0-p-title"' in html and "Call {person} about their NPS {score}" in html
    assert 'name="cond-health_band"' in html and 'name="cond-mrr_min"' in html
    assert reverse("playbook_preview", args=[playbook.pk]) in html


def test_a_cs_admin_creates_a_playbook_from_the_form(world: World) -> None:
    response = client_for(world.admin).post(reverse("playbook_new"), form_post())
    playbook = Playbook.objects.get(name="Renewal check")
    assert response.status_code == 302
    assert response["Location"] == reverse("playbook_preview", args=[playbook.pk])
    assert playbook.trigger_params == {"days": 60}
    assert playbook.conditions == {"segment": ["enterprise", "smb"]}
    assert list(playbook.steps.values_list("params__title", "delay_days", "stop_if")) == [
        ("First", 0, ""),
        ("Second", 7, "logged_in"),
    ]


def test_an_invalid_form_is_redrawn_with_the_step_named_and_422(world: World) -> None:
    playbook = Playbook.objects.get(key="detractor-follow-up")
    url = reverse("playbook_edit", args=[playbook.pk])
    client = signed_in(world.admin)
    with unchanged():
        response = client.post(url, form_post(**{"step-1-delay_days": "400", "step-0-p-title": ""}))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Step 1 (Create a task for the CSM): task title is required." in html
    assert "Step 2 (Create a task for the CSM): the delay must be a whole number" in html
    assert 'value="Second"' in html  # what was typed is kept


@pytest.mark.parametrize(
    "action,titles",
    [
        ("add", ["First", "Second", None]),
        ("remove-0", ["Second"]),
        ("up-1", ["Second", "First"]),
        ("down-0", ["Second", "First"]),
        ("up-0", ["First", "Second"]),
        ("remove-9", ["First", "Second"]),
    ],
)
def test_the_step_buttons_redraw_the_form_without_saving(
    world: World, action: str, titles: list[str | None]
) -> None:
    client = signed_in(world.admin)
    with unchanged():
        response = client.post(reverse("playbook_new"), form_post(action=action))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="step_count" value="{len(titles)}"' in html
    for i, title in enumerate(titles):
        if title:
            assert f'name="step-{i}-p-title" value="{title}"' in html
        else:
            assert (
                f'name="step-{i}-p-title"' in html and f'name="step-{i}-p-title" value=' not in html
            )


def test_htmx_swaps_the_trigger_settings_when_the_trigger_changes(world: World) -> None:
    response = client_for(world.admin).post(
        reverse("playbook_new"),
        form_post(trigger=EventKind.USAGE_DROPPED, action="trigger"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="pb-trigger-settings"')
    assert 'name="trigger-percent"' in html and 'name="trigger-days"' not in html


def test_htmx_save_answers_with_the_place_to_go(world: World) -> None:
    response = client_for(world.admin).post(
        reverse("playbook_new"), form_post(), HTTP_HX_REQUEST="true"
    )
    playbook = Playbook.objects.get(name="Renewal check")
    assert response.status_code == 204
    assert response["HX-Location"] == reverse("playbook_preview", args=[playbook.pk])


def test_the_form_can_apply_an_edit_to_runs_under_way(world: World) -> None:
    playbook = save_playbook(None, data=data(), apply_to_runs=False, acting_user=world.admin)
    run = run_under_way(world, playbook)
    client_for(world.admin).post(
        reverse("playbook_edit", args=[playbook.pk]), form_post(apply_to_runs="on")
    )
    assert list(run.run_steps.values_list("position", "params__title", "status")) == [
        (0, "Call", StepStatus.DONE),
        (1, "Second", StepStatus.WAITING),
    ]


def test_a_playbook_made_here_that_never_ran_can_be_deleted(world: World) -> None:
    playbook = PlaybookFactory.create(name="Try-out")
    response = client_for(world.admin).post(reverse("playbook_delete", args=[playbook.pk]))
    assert response.status_code == 302 and not Playbook.objects.filter(pk=playbook.pk).exists()
    assert Activity.objects.filter(verb="deleted a playbook").exists()


def test_a_built_in_playbook_or_one_that_ran_is_not_deleted(world: World) -> None:
    built_in = Playbook.objects.get(key="detractor-follow-up")
    ran = PlaybookRunFactory.create().playbook
    client = signed_in(world.admin)
    for playbook in (built_in, ran):
        with unchanged():
            response = client.post(reverse("playbook_delete", args=[playbook.pk]))
        assert response.status_code == 422


# The preview -------------------------------------------------------------------------------------


def preview_world(world: World, extra: int = 0) -> Playbook:
    playbook = PlaybookFactory.create(
        name="Enterprise detractors",
        enabled=False,
        conditions={"segment": ["enterprise"], "tags": ["strategic"]},
    )
    PlaybookStepFactory.create(playbook=playbook, params={"title": "Call them", "due_in_days": 2})
    PlaybookStepFactory.create(
        playbook=playbook,
        position=1,
        delay_days=7,
        stop_if=StopIf.LOGGED_IN,
        params={"title": "Chase"},
    )
    tag = TagFactory.create(name="strategic")
    for account in [world.account] + [
        AccountFactory.create(segment=Segment.ENTERPRISE) for _ in range(extra)
    ]:
        account.segment = Segment.ENTERPRISE
        account.save()
        account.tags.add(tag)
    return playbook  # fmt: skip


def test_the_preview_lists_who_would_be_reached_why_and_what_each_step_does(
    world: World,
) -> None:
    playbook = preview_world(world)
    response = client_for(world.admin).get(reverse("playbook_preview", args=[playbook.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 account now" in html
    assert "Acme" in html and "Bluth" not in html
    assert "Why: segment is Enterprise, tagged strategic" in html
    assert "a task “Call them” for Casey CSM, due in 2 days" in html
    assert "After 7 days, unless: someone from the account logs in" in html
    assert "Fires when “NPS detractor response” happens" in html


def test_the_preview_sends_and_writes_nothing(world: World) -> None:
    playbook = preview_world(world, extra=3)
    mail.outbox.clear()
    client = signed_in(world.admin)
    jobs = Job.objects.count()  # making the accounts queued their "account created" events
    with unchanged():
        response = client.get(reverse("playbook_preview", args=[playbook.pk]))
    assert response.status_code == 200
    assert Job.objects.count() == jobs and not RunStep.objects.exists()
    assert not CSMTask.objects.exists() and not PlaybookRun.objects.exists()
    assert not Activity.objects.filter(verb__contains="playbook").exists()
    assert mail.outbox == []


def test_the_preview_costs_the_same_for_1_account_and_60_and_shows_50(world: World) -> None:
    playbook = preview_world(world)
    client = client_for(world.admin)
    url = reverse("playbook_preview", args=[playbook.pk])
    few = page_queries(client, url)
    preview_world(world, extra=59)
    many = page_queries(client, url)
    assert_same_queries(few, many, "preview")
    html = client.get(url).content.decode()
    assert "60 accounts now" in html and "The first 50, by name." in html
    assert html.count('class="pb-reach-row"') == 50


def test_the_list_invites_a_preview_before_enabling(world: World) -> None:
    playbook = Playbook.objects.get(key="detractor-follow-up")
    html = client_for(world.admin).get(reverse("playbooks")).content.decode()
    assert reverse("playbook_new") in html and reverse("playbook_edit", args=[playbook.pk]) in html
    assert "Preview and enable" in html and reverse("playbook_preview", args=[playbook.pk]) in html


# Tags on the account -----------------------------------------------------------------------------


def account_post(world: World, tags: str) -> dict[str, Any]:
    account = world.account
    return {
        "name": account.name,
        "slug": account.slug,
        "segment": account.segment,
        "touch_model": account.touch_model,
        "stage": account.stage,
        "owner": world.csm.pk,
        "tags": tags,
    }


def test_a_csm_sets_an_accounts_tags_making_new_ones_as_needed(world: World) -> None:
    TagFactory.create(name="Strategic")
    url = reverse("account_edit", args=[world.account.slug])
    client = client_for(world.csm)
    response = client.post(url, account_post(world, " strategic, beta ,, BETA, EMEA "))
    assert response.status_code == 302
    assert sorted(world.account.tags.values_list("name", flat=True)) == [
        "EMEA",
        "Strategic",
        "beta",
    ]
    entry = Activity.objects.filter(verb="edited the account").latest("pk")
    assert (entry.before or {})["tags"] == [] and (entry.after or {})["tags"] == [
        "EMEA",
        "Strategic",
        "beta",
    ]
    shown = re.search(r'name="tags" value="([^"]*)"', client.get(url).content.decode())
    assert shown and sorted(shown.group(1).split(", ")) == ["EMEA", "Strategic", "beta"]
    client.post(url, account_post(world, "beta"))
    assert list(world.account.tags.values_list("name", flat=True)) == ["beta"]


def test_a_tag_too_long_is_refused_and_changes_nothing(world: World) -> None:
    client = signed_in(world.csm)
    with unchanged():
        response = client.post(
            reverse("account_edit", args=[world.account.slug]), account_post(world, "x" * 41)
        )
    assert response.status_code == 422
    assert "is too long for a tag" in response.content.decode()


@pytest.fixture
def renewal_detector() -> Iterator[list[Any]]:
    """A detector for "renewal in N days" as the detectors module registers one: it yields
    the accounts given, and records the settings and moment it was asked with."""
    asked: list[Any] = []
    found: list[Candidate] = []
    saved = detectors.load().get(EventKind.RENEWAL_DUE)

    def detect(params: dict[str, Any], now: datetime) -> list[Candidate]:
        asked.append((params, now))
        return found

    detectors.DETECTORS[EventKind.RENEWAL_DUE] = detect
    yield [asked, found]
    if saved is None:
        detectors.DETECTORS.pop(EventKind.RENEWAL_DUE, None)
    else:
        detectors.DETECTORS[EventKind.RENEWAL_DUE] = saved


def test_a_scanned_trigger_previews_the_detectors_candidates_now(
    world: World, renewal_detector: list[Any]
) -> None:
    asked, found = renewal_detector
    playbook = PlaybookFactory.create(
        trigger=EventKind.RENEWAL_DUE, trigger_params={"days": 60}, conditions={}
    )
    PlaybookStepFactory.create(playbook=playbook, params={"title": "Plan the renewal"})
    found.append(Candidate(world.account.pk, "renewal:1:60", {"why": "renews on 15 January"}))
    response = client_for(world.admin).get(reverse("playbook_preview", args=[playbook.pk]))
    html = response.content.decode()
    assert asked == [({"days": 60}, NOW)]
    assert "1 account now" in html and "Acme" in html and "Bluth" not in html
    assert "Why: renews on 15 January" in html
    assert "“Renewal date in N days” holds today for these accounts" in html


def test_a_scanned_trigger_without_a_detector_says_so(world: World) -> None:
    detectors.load()
    kind = EventKind.MILESTONE_MISSED
    saved = detectors.DETECTORS.pop(kind, None)
    try:
        playbook = PlaybookFactory.create(trigger=kind, conditions={})
        html = client_for(world.admin).get(reverse("playbook_preview", args=[playbook.pk]))
        text = html.content.decode()
    finally:
        if saved is not None:
            detectors.DETECTORS[kind] = saved
    assert "the daily scan for this signal is not installed here" in text
    assert "2 accounts now" in text


@pytest.mark.parametrize(
    "junk",
    [
        {"step_count": "lots", "trigger": "nps_detractor", "name": "X"},
        {"step_count": "-3", "trigger": "", "name": ""},
        {"step_count": "1", "step-0-kind": "<script>", "trigger": "renewal_due", "trigger-days": "9999", "name": "X"},
        {"step_count": "1", "step-0-kind": "create_task", "step-0-p-priority": "urgent", "step-0-p-title": "T", "trigger": "nps_detractor", "name": "X", "cond-owner": ["nobody"], "cond-mrr_min": "-5"},
    ],
)  # fmt: skip
def test_junk_from_the_editor_is_a_422_and_changes_nothing(
    world: World, junk: dict[str, Any]
) -> None:
    client = signed_in(world.admin)
    with unchanged():
        response = client.post(reverse("playbook_new"), {**junk, "action": "save"})
    assert response.status_code == 422
    assert "The playbook was not saved" in response.content.decode()
