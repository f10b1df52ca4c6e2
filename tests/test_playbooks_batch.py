"""Firing a scan's batch of events together (:func:`playbooks.services.runs.evaluate_events`)
writes what firing each event on its own writes (:func:`evaluate_event`): the same runs, steps,
tasks, timeline and jobs, once per playbook, account and event, in queries that do not grow
with the events."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import transaction

from accounts.models import Activity
from playbooks.models import (
    AccountPause,
    CSMTask,
    Event,
    EventKind,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    RunStep,
    StepKind,
)
from playbooks.services.runs import Shared, evaluate_event, evaluate_events
from playbooks.steps import STEP_KINDS, load
from portal.models import Job
from tests.conftest import World
from tests.factories import AccountFactory, EventFactory
from tests.queries import count_queries

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def playbook(name: str, *steps: tuple[str, int, dict[str, Any]]) -> Playbook:
    play = Playbook.objects.create(name=name, trigger=EventKind.NPS_DETRACTOR, enabled=True)
    for position, (kind, delay, params) in enumerate(steps):
        PlaybookStep.objects.create(
            playbook=play, position=position, kind=kind, delay_days=delay, params=params
        )
    return play


def events_for(world: World) -> list[Event]:
    """Detractor answers on: the account (naming its champion), another account (naming
    someone since gone), an account with no owner, and a paused account."""
    ownerless = AccountFactory.create(owner=None)
    paused = AccountFactory.create()
    AccountPause.objects.create(account=paused, paused_by=world.csm, note="Escalation")
    data = {"score": 3, "survey_kind": "nps"}
    return [
        EventFactory.create(account=world.account, data={**data, "user_id": world.champion.pk}),
        EventFactory.create(account=world.other_account, data={**data, "user_id": 10**9}),
        EventFactory.create(account=ownerless, data=data),
        EventFactory.create(account=paused, data=data),
    ]


def written() -> dict[str, Any]:
    """Everything firing wrote, without ids and clocks that differ between two firings."""
    runs = {r.pk: (r.playbook_id, r.event_id) for r in PlaybookRun.objects.all()}
    return {
        "runs": sorted(
            (r.playbook_id, r.account_id, r.event_id, r.reason, r.status, r.finished_at is None)
            for r in PlaybookRun.objects.all()
        ),
        "steps": sorted(
            (runs[s.run_id], s.position, s.kind, s.status, s.detail, s.attempts, s.due_at)
            for s in RunStep.objects.all()
        ),
        "tasks": sorted(
            (
                runs.get(t.run_id or 0),
                t.account_id,
                t.assignee_id,
                t.title,
                t.due_on,
                t.priority,
                t.reason,
            )
            for t in CSMTask.objects.all()
        ),
        "timeline": sorted(
            (a.account_id, a.verb, a.target_type_id, a.target_label, str(a.after), a.internal)
            for a in Activity.objects.filter(actor=None)
        ),
        "jobs": sorted(
            (j.task, j.kwargs.get("assignee_id"), j.kwargs.get("by_user_id"))
            for j in Job.objects.all()
        ),
    }


def fired(fire: Callable[[], object]) -> dict[str, Any]:
    """What ``fire`` writes, rolled back afterwards so the next firing starts the same."""
    point = transaction.savepoint()
    fire()
    found = written()
    transaction.savepoint_rollback(point)
    return found


def together(events: list[Event]) -> None:
    evaluate_events(events, Shared(EventKind.NPS_DETRACTOR, [e.account_id for e in events]))


def alone(events: list[Event]) -> None:
    for event in events:
        evaluate_event(event)


def make_playbooks() -> None:
    playbook(
        "Call them",
        (StepKind.CREATE_TASK, 0, {"title": "Call {person} at {account}", "priority": "high"}),
        (StepKind.CREATE_TASK, 0, {"title": "Write to {account}", "reason": "Score {score}"}),
        (StepKind.CREATE_TASK, 3, {"title": "Check in again with {account}"}),
    )
    playbook("Just a task", (StepKind.CREATE_TASK, 0, {"title": "Look at {account}"}))
    playbook(
        "Tell the owner",
        (StepKind.NOTIFY_OWNER, 0, {"text": "{account} answered {score}"}),
        (StepKind.CREATE_TASK, 0, {"title": "After the notice"}),
    )


def test_firing_together_writes_what_firing_each_writes(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    make_playbooks()
    events = events_for(world)
    batch = fired(lambda: together(events))
    assert "firing each" not in caplog.text  # written together, not fallen back to each
    each = fired(lambda: alone(events))
    assert batch == each
    # Three playbooks on each of the three accounts not paused: a task for each owner.
    assert len(batch["runs"]) == 9
    assert ("done", "the account has no owner CSM") not in {s[3:5] for s in batch["steps"]}
    assert any(s[3:5] == ("skipped", "the account has no owner CSM") for s in batch["steps"])
    titles = {t[3] for t in batch["tasks"]}
    assert {f"Call {world.champion.display_name} at {world.account.name}"} <= titles
    assert f"Call someone at {world.other_account.name}" in titles
    assignments = [job for job in batch["jobs"] if job[0] == "playbooks.send_task_assigned"]
    assert len(assignments) == len(batch["tasks"]) == 8


def test_firing_together_twice_fires_once(world: World) -> None:
    make_playbooks()
    events = events_for(world)
    alone(events[:1])  # one event fired already (a raised event, a second delivery)
    runs = PlaybookRun.objects.count()
    together(events)
    assert PlaybookRun.objects.count() == runs + 6
    together(events)
    alone(events)
    assert PlaybookRun.objects.count() == runs + 6


def test_a_batch_that_fails_fires_each_run_on_its_own(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_playbooks()
    events = events_for(world)
    each = fired(lambda: alone(events))
    spec = load()[StepKind.CREATE_TASK]

    def broken(contexts: list[Any]) -> list[Any]:
        CSMTask.objects.create(
            account=world.account, assignee=world.csm, title="Half made", due_on=NOW.date()
        )
        raise RuntimeError("the batch broke")

    monkeypatch.setitem(STEP_KINDS, spec.kind, dataclasses.replace(spec, run_many=broken))
    assert fired(lambda: together(events)) == each  # nothing of the broken batch kept


def test_firing_together_costs_the_same_queries_for_more_events(world: World) -> None:
    make_playbooks()
    Playbook.objects.filter(name="Tell the owner").delete()  # the per-run kind: not batched

    def queries(accounts: int) -> int:
        events = [EventFactory.create(account=AccountFactory.create()) for _ in range(accounts)]
        shared = Shared(EventKind.NPS_DETRACTOR, [e.account_id for e in events])
        return count_queries(lambda: evaluate_events(events, shared))

    assert queries(2) == queries(6)
