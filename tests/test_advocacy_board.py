"""The advocacy board: who said yes to what, the references' calls this quarter against the
cap, referrals by status; over the viewer's accounts only, in the same number of queries for
one row as for many."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.models import AskKind, AskStatus
from tests.advocacy_factories import AdvocacyAskFactory, ReferenceCallFactory, ReferralFactory
from tests.conftest import World, client_for
from tests.factories import MembershipFactory

URL = reverse("advocacy_board")


@pytest.fixture(autouse=True)
def _now(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 9, tzinfo=UTC), tick=False)


def add_advocates(world: World, n: int) -> None:
    for i in range(n):
        person = MembershipFactory.create(account=world.account, role="member").user
        AdvocacyAskFactory.create(
            account=world.account,
            person=person,
            kind=AskKind.REFERENCE if i % 2 else AskKind.REVIEW,
            status=AskStatus.ACCEPTED,
            answered_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
        ReferenceCallFactory.create(account=world.account, advocate=person)
        ReferralFactory.create(account=world.account, referred_by=person, status="qualified")


def queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_board_takes_the_same_queries_for_one_row_as_for_many(world: World) -> None:
    client = client_for(world.csm)
    add_advocates(world, 2)
    few = queries(client)
    add_advocates(world, 30)
    assert queries(client) == few


def test_the_board_shows_who_said_yes_and_who_is_resting(world: World, settings: Any) -> None:
    settings.ADVOCACY_REFERENCE_CALLS_PER_QUARTER = 1
    ask = AdvocacyAskFactory.create(
        account=world.account,
        person=world.executive,
        status=AskStatus.ACCEPTED,
        answered_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    ReferenceCallFactory.create(account=world.account, advocate=world.executive)
    AdvocacyAskFactory.create(account=world.account, person=world.member, status=AskStatus.DECLINED)
    ReferralFactory.create(
        account=world.account, referred_by=world.champion, company="Initrode", status="won"
    )
    page = client_for(world.csm).get(URL).content.decode()
    assert ask.person.display_name in page
    assert "Resting" in page and "1 of 1" in page
    assert world.member.display_name not in page  # said no: not on the board
    assert "Initrode" in page
    won = client_for(world.csm).get(URL, {"status": "lost"}).content.decode()
    assert "Initrode" not in won


def test_another_csm_sees_none_of_the_account(world: World) -> None:
    ReferralFactory.create(account=world.account, referred_by=world.champion, company="Initrode")
    page = client_for(world.other_csm).get(URL).content.decode()
    assert "Initrode" not in page
    assert "Initrode" in client_for(world.admin).get(URL).content.decode()


@pytest.mark.parametrize("persona", ["champion", "executive", "member"])
def test_customers_never_see_the_board(world: World, persona: str) -> None:
    assert client_for(world.persona(persona)).get(URL).status_code == 403
