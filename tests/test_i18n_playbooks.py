"""Playbooks in the reader's language: what each step would do (the preview), the editor's
steps, and a run's history, whose outcomes are kept as marked messages and worded when read,
so a run fired in English reads in German for a German reader."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Account
from playbooks.models import EmailTemplate, EventKind, Playbook, PlaybookRun, StepKind, StopIf
from playbooks.services.runs import run_playbook
from playbooks.words import say, say_plural, words
from tests.conftest import World, client_for
from tests.factories import (
    EmailTemplateFactory,
    EventFactory,
    PlaybookFactory,
    PlaybookStepFactory,
)
from tests.pseudo import OPEN, english_left_on, pseudo_translation

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)

# Every step kind, with settings a CS admin might give (their texts are data, allowed below).
STEPS: dict[str, dict[str, Any]] = {
    StepKind.CREATE_TASK: {"title": "Zorp {account}", "due_in_days": 3},
    StepKind.SEND_EMAIL: {"template": "welcome", "to": "champion"},
    StepKind.START_ONBOARDING: {"template": "newest"},
    StepKind.SEND_SURVEY: {"survey": "0", "to": "everyone"},
    StepKind.ADD_PLAN_ITEM: {"title": "Zorp", "due_in_days": 7, "side": "customer"},
    StepKind.SET_ACCOUNT_FIELD: {"field": "segment", "value": "enterprise"},
    StepKind.ASSIGN_OWNER: {"rules": "any: all CSMs", "cap": 0, "reassign": True},
    StepKind.FLAG_CSQL: {"reason": "Zorp"},
    StepKind.NOTIFY_OWNER: {"text": "Zorp {account}"},
    StepKind.PAUSE_SURVEYS: {"days": 30, "reason": "Zorp"},
    StepKind.ASK_FOR_ADVOCACY: {"kind": "review", "note": ""},
}
# Data, not words of the interface: names of people, accounts, playbooks and e-mails.
DATA = ["Acme", "Bluth", "Casey CSM", "Olive Other", "Zorp", "Wilkommen", "Neuer Kunde"]


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _people(world: World) -> list[str]:
    users = [world.champion, world.executive, world.csm, world.other_csm, world.admin]
    return [u.display_name for u in users] + [u.email for u in users]


def every_kind(world: World, *, delay_last: bool = False) -> Playbook:
    EmailTemplateFactory.create(key="welcome", name="Wilkommen")
    playbook = PlaybookFactory.create(name="Neuer Kunde", trigger=EventKind.ACCOUNT_CREATED)
    kinds = list(STEPS)
    for position, kind in enumerate(kinds):
        last = position == len(kinds) - 1
        PlaybookStepFactory.create(
            playbook=playbook,
            position=position,
            kind=kind,
            params=STEPS[kind],
            delay_days=3 if delay_last and last else 0,
            stop_if=StopIf.LOGGED_IN if delay_last and last else StopIf.NEVER,
        )
    return playbook


def test_the_preview_says_what_every_step_kind_would_do_in_the_readers_language(
    world: World,
) -> None:
    playbook = every_kind(world, delay_last=True)
    path = reverse("playbook_preview", args=[playbook.pk])
    left = english_left_on(client_for(world.admin), path, allowed=[*DATA, *_people(world)])
    assert left == []


def test_the_editor_shows_every_step_kind_in_the_readers_language(world: World) -> None:
    playbook = every_kind(world)
    path = reverse("playbook_edit", args=[playbook.pk])
    emails = list(EmailTemplate.objects.values_list("name", flat=True))  # the built-in ones
    allowed = [*DATA, *_people(world), *emails, STEPS[StepKind.ASSIGN_OWNER]["rules"]]
    left = english_left_on(client_for(world.admin), path, allowed=allowed)
    assert left == []


def fired(world: World) -> PlaybookRun:
    """The playbook with every step kind fired on the account, in English, the last step
    waiting."""
    playbook = every_kind(world, delay_last=True)
    event = EventFactory.create(
        account=world.account,
        kind=EventKind.SEGMENT_CHANGED,
        data={"from": "smb", "to": "enterprise"},
    )
    account = Account.objects.select_related("owner").get(pk=world.account.pk)
    with translation.override("en"):
        run = run_playbook(playbook, account, event, why="")
    assert run is not None
    return run


def test_a_run_fired_in_english_reads_in_the_readers_language(world: World) -> None:
    run = fired(world)
    assert run.reason.startswith("Segment changed: SMB to Enterprise")
    path = reverse("playbook_run", args=[world.account.slug, run.pk])
    left = english_left_on(client_for(world.csm), path, allowed=[*DATA, *_people(world)])
    assert left == []


def test_the_runs_list_reads_in_the_readers_language(world: World) -> None:
    fired(world)
    path = reverse("playbook_runs", args=[world.account.slug])
    left = english_left_on(client_for(world.csm), path, allowed=[*DATA, *_people(world)])
    assert left == []


def test_what_a_step_did_is_kept_as_a_message_and_worded_when_read(world: World) -> None:
    run = fired(world)
    task = run.run_steps.get(kind=StepKind.CREATE_TASK)
    assert task.detail == "task “Zorp Acme” for Casey CSM"
    assert task.said == {
        "text": "task “%(title)s” for %(owner)s",
        "with": {"title": "Zorp Acme", "owner": "Casey CSM"},
    }
    waiting = run.run_steps.get(kind=StepKind.ASK_FOR_ADVOCACY)
    assert waiting.said == {"plural": "waits", "n": 3, "with": {}}
    with pseudo_translation() as language, translation.override(language):
        assert task.outcome == f"{OPEN}task “Zorp Acme” for Casey CSM⟧"
        assert waiting.outcome.startswith(OPEN)
        assert run.why.startswith(OPEN)


def test_a_count_reads_in_its_plural_form_and_an_old_plain_text_as_written() -> None:
    assert words(say_plural("waits", 1)) == "waits 1 day"
    assert words(say_plural("waits", 4)) == "waits 4 days"
    assert words(say("%(who)s", who="anyone")) == "anyone"
    assert words("done before texts were kept") == "done before texts were kept"
