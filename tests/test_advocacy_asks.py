"""Asking promoters: who may be asked and when again, the answer by the person asked only, the
inbox items on both sides, and the CSM's form refusing bad input with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Notification
from advocacy import figures, services
from advocacy.models import AdvocacyAsk, AskKind, AskStatus
from tests.advocacy_factories import AdvocacyAskFactory, nps_answer
from tests.conftest import World, client_for
from tests.snapshot import unchanged

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def promoters(world: World) -> World:
    nps_answer(world.account, world.champion, 9, "Great reports.")
    nps_answer(world.account, world.member, 10)
    nps_answer(world.account, world.executive, 7)  # a passive
    return world


def test_a_promoter_is_asked_and_hears_of_it(promoters: World) -> None:
    world = promoters
    ask = services.ask_for_advocacy(
        world.account, world.champion, AskKind.REFERENCE, note="A call?", acting_user=world.csm
    )
    assert (ask.status, ask.person, ask.asked_by) == (AskStatus.ASKED, world.champion, world.csm)
    item = Notification.objects.get(user=world.champion)
    assert item.url == reverse("advocacy_my_ask", args=[world.account.slug, ask.pk])
    assert "Be a reference" in item.title


def test_only_promoters_are_asked(promoters: World) -> None:
    world = promoters
    with unchanged(), pytest.raises(ValidationError, match="not a promoter"):
        services.ask_for_advocacy(
            world.account, world.executive, AskKind.REVIEW, acting_user=world.csm
        )
    # A promoter once, a passive since: the latest answer counts.
    nps_answer(world.account, world.champion, 8, at=NOW + timedelta(minutes=1))
    assert not figures.is_promoter(world.champion, world.account)


def test_a_person_is_not_asked_twice_within_the_cooldown(promoters: World, settings: Any) -> None:
    world = promoters
    settings.ADVOCACY_ASK_COOLDOWN_DAYS = 90
    services.ask_for_advocacy(world.account, world.member, AskKind.REVIEW, acting_user=world.csm)
    with (
        time_machine.travel(NOW + timedelta(days=89), tick=False),
        unchanged(),
        pytest.raises(ValidationError, match="not again before"),
    ):
        services.ask_for_advocacy(world.account, world.member, AskKind.SPEAK, acting_user=world.csm)
    with time_machine.travel(NOW + timedelta(days=91), tick=False):
        services.ask_for_advocacy(world.account, world.member, AskKind.SPEAK, acting_user=world.csm)
    assert AdvocacyAsk.objects.filter(person=world.member).count() == 2


def test_a_person_who_said_no_is_not_asked_for_a_year(promoters: World) -> None:
    world = promoters
    ask = services.ask_for_advocacy(
        world.account, world.member, AskKind.REVIEW, acting_user=world.csm
    )
    services.answer_ask(ask, accept=False, acting_user=world.member)
    with time_machine.travel(NOW + timedelta(days=200), tick=False):
        assert "said no" in (figures.ask_block(world.member) or "")
        with pytest.raises(ValidationError, match="said no"):
            services.ask_for_advocacy(
                world.account, world.member, AskKind.SPEAK, acting_user=world.csm
            )
    with time_machine.travel(NOW + timedelta(days=366), tick=False):
        assert figures.ask_block(world.member) is None


def test_someone_not_on_the_account_is_refused_by_the_service(promoters: World) -> None:
    world = promoters
    nps_answer(world.other_account, world.other_champion, 10)
    with unchanged(), pytest.raises(ValidationError, match="not one of"):
        services.ask_for_advocacy(
            world.account, world.other_champion, AskKind.REVIEW, acting_user=world.csm
        )


def test_the_form_refuses_a_person_not_on_the_account_with_422(promoters: World) -> None:
    world = promoters
    url = reverse("advocacy_ask", args=[world.account.slug])
    data = {"person": world.other_champion.pk, "kind": "review", "channel": "portal"}
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, data)
    assert response.status_code == 422
    assert b"Select a valid choice" in response.content


def test_the_form_says_why_a_resting_person_is_not_asked(promoters: World) -> None:
    world = promoters
    AdvocacyAskFactory.create(account=world.account, person=world.member, asked_at=NOW)
    url = reverse("advocacy_ask", args=[world.account.slug])
    data = {"person": world.member.pk, "kind": "review", "channel": "portal"}
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, data)
    assert response.status_code == 422
    assert b"not again before" in response.content


def test_the_promoter_list_says_who_may_be_asked(promoters: World) -> None:
    world = promoters
    AdvocacyAskFactory.create(account=world.account, person=world.member, asked_at=NOW)
    rows = {row.person: row for row in figures.promoters(world.account)}
    assert set(rows) == {world.champion, world.member}
    assert rows[world.champion].may_ask
    assert not rows[world.member].may_ask and "was asked on" in (rows[world.member].block or "")
    page = client_for(world.csm).get(reverse("advocacy_account", args=[world.account.slug]))
    assert page.status_code == 200
    assert world.champion.display_name in page.content.decode()


def test_the_person_asked_accepts_and_the_csm_hears_of_it(promoters: World) -> None:
    world = promoters
    ask = services.ask_for_advocacy(
        world.account, world.champion, AskKind.REFERENCE, acting_user=world.csm
    )
    url = reverse("advocacy_my_ask", args=[world.account.slug, ask.pk])
    response = client_for(world.champion).post(url, {"answer": "yes", "note": "Mornings."})
    assert response.status_code == 302
    ask.refresh_from_db()
    assert (ask.status, ask.answer_note, ask.answered_at) == (AskStatus.ACCEPTED, "Mornings.", NOW)
    assert Notification.objects.filter(user=world.csm, title__contains="said yes").exists()


def test_an_answer_is_given_once(promoters: World) -> None:
    world = promoters
    ask = AdvocacyAskFactory.create(account=world.account, person=world.champion)
    assert services.answer_ask(ask, accept=True, acting_user=world.champion)
    assert not services.answer_ask(ask, accept=True, acting_user=world.champion)
    with unchanged(), pytest.raises(ValidationError, match="already answered"):
        services.answer_ask(ask, accept=False, acting_user=world.champion)


def test_nobody_else_answers_an_ask(promoters: World) -> None:
    world = promoters
    ask = AdvocacyAskFactory.create(account=world.account, person=world.champion)
    url = reverse("advocacy_my_ask", args=[world.account.slug, ask.pk])
    client = client_for(world.member)
    with unchanged():
        assert client.post(url, {"answer": "no"}).status_code == 404
    with unchanged(), pytest.raises(ValidationError):
        services.answer_ask(ask, accept=False, acting_user=world.member)


def test_an_answer_must_be_yes_or_no(promoters: World) -> None:
    world = promoters
    ask = AdvocacyAskFactory.create(account=world.account, person=world.champion)
    url = reverse("advocacy_my_ask", args=[world.account.slug, ask.pk])
    client = client_for(world.champion)
    with unchanged():
        assert client.post(url, {"answer": "maybe"}).status_code == 422


def test_only_an_accepted_ask_is_marked_done(promoters: World) -> None:
    world = promoters
    ask = AdvocacyAskFactory.create(account=world.account, person=world.champion)
    url = reverse("advocacy_ask_done", args=[world.account.slug, ask.pk])
    client = client_for(world.csm)
    with unchanged():
        assert client.post(url).status_code == 422
    AdvocacyAsk.objects.filter(pk=ask.pk).update(status=AskStatus.ACCEPTED)
    assert client_for(world.csm).post(url).status_code == 302
    ask.refresh_from_db()
    assert ask.status == AskStatus.DONE


def test_the_panel_shows_the_customer_their_open_ask(promoters: World) -> None:
    world = promoters
    ask = AdvocacyAskFactory.create(account=world.account, person=world.champion)
    url = reverse("account_panel", args=[world.account.slug, "advocacy"])
    mine = client_for(world.champion).get(url).content.decode()
    assert reverse("advocacy_my_ask", args=[world.account.slug, ask.pk]) in mine
    theirs = client_for(world.member).get(url).content.decode()
    assert reverse("advocacy_my_ask", args=[world.account.slug, ask.pk]) not in theirs
    assert reverse("advocacy_refer", args=[world.account.slug]) in theirs
