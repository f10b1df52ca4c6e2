"""The playbook step "ask for advocacy": the promoter the event names is asked, through the
advocacy services (so the cooldown holds it back as it holds back a CSM's ask); with no one
named, every promoter of the account who may be asked now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from advocacy.models import AdvocacyAsk, AskChannel, AskKind
from playbooks.models import EventKind, StepKind
from playbooks.services.runs import merge_fields
from playbooks.steps import StepContext, load
from tests.advocacy_factories import AdvocacyAskFactory, nps_answer
from tests.conftest import World
from tests.factories import EventFactory, PlaybookRunFactory
from tests.snapshot import unchanged

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def context_for(world: World, params: dict[str, Any], **data: Any) -> StepContext:
    load()
    event = EventFactory.create(account=world.account, kind=EventKind.NPS_PROMOTER, data=data)
    playbook_run = PlaybookRunFactory.create(event=event, account=world.account)
    context = StepContext(
        run=playbook_run,
        account=world.account,
        event=event,
        position=0,
        params=params,
        merge=merge_fields(event, world.account, playbook_run),
    )
    return context


def run(world: World, params: dict[str, Any], **data: Any) -> Any:
    return load()[StepKind.ASK_FOR_ADVOCACY].run(context_for(world, params, **data))


def test_the_promoter_the_event_names_is_asked(world: World) -> None:
    nps_answer(world.account, world.champion, 10)
    nps_answer(world.account, world.member, 9)
    outcome = run(
        world,
        {"kind": AskKind.REVIEW, "note": "Would you review us, {person}?"},
        user_id=world.champion.pk,
    )
    assert outcome.status == "done"
    ask = AdvocacyAsk.objects.get()
    assert (ask.person, ask.kind, ask.channel, ask.asked_by) == (
        world.champion,
        AskKind.REVIEW,
        AskChannel.PLAYBOOK,
        None,
    )
    assert ask.note == f"Would you review us, {world.champion.display_name}?"


def test_with_no_one_named_every_promoter_who_may_be_asked_is(world: World) -> None:
    nps_answer(world.account, world.champion, 10)
    nps_answer(world.account, world.member, 9)
    nps_answer(world.account, world.executive, 6)
    AdvocacyAskFactory.create(account=world.account, person=world.member, asked_at=NOW)
    outcome = run(world, {"kind": AskKind.REFERENCE})
    assert outcome.status == "done"
    assert list(
        AdvocacyAsk.objects.filter(channel=AskChannel.PLAYBOOK).values_list("person", flat=True)
    ) == [world.champion.pk]


def test_the_cooldown_holds_the_step_back(world: World) -> None:
    nps_answer(world.account, world.champion, 10)
    AdvocacyAskFactory.create(account=world.account, person=world.champion, asked_at=NOW)
    context = context_for(world, {"kind": AskKind.SPEAK}, user_id=world.champion.pk)
    with unchanged():
        outcome = load()[StepKind.ASK_FOR_ADVOCACY].run(context)
    assert outcome.status == "skipped"
    assert "not again before" in outcome.detail


def test_the_preview_says_how_many_may_be_asked(world: World) -> None:
    load()
    nps_answer(world.account, world.champion, 10)
    said = load()[StepKind.ASK_FOR_ADVOCACY].describe({"kind": AskKind.REVIEW}, world.account)
    assert "write a review" in said and "(1)" in said
