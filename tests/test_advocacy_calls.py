"""Reference calls: only advocates who said yes are booked, at most the setting's number a
quarter each; one at the cap is resting, and booking them is a 422 that changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from advocacy import figures, services
from advocacy.models import AskStatus, ReferenceCall
from tests.advocacy_factories import AdvocacyAskFactory, ReferenceCallFactory
from tests.conftest import World, client_for
from tests.snapshot import unchanged


@pytest.fixture(autouse=True)
def _now(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 9, tzinfo=UTC), tick=False)


@pytest.fixture
def reference(world: World) -> World:
    AdvocacyAskFactory.create(
        account=world.account, person=world.executive, status=AskStatus.ACCEPTED
    )
    return world


@pytest.mark.parametrize(
    "day,first,last",
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 5, 20), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_the_quarter_of_a_day(day: date, first: date, last: date) -> None:
    assert figures.quarter_of(day) == (first, last)


def test_a_call_is_booked_for_an_advocate(reference: World) -> None:
    world = reference
    url = reverse("advocacy_call_book", args=[world.account.slug])
    data = {"advocate": world.executive.pk, "prospect": "Initrode", "date": "2026-11-20"}
    assert client_for(world.csm).post(url, data).status_code == 302
    call = ReferenceCall.objects.get()
    assert (call.advocate, call.prospect, call.date) == (
        world.executive,
        "Initrode",
        date(2026, 11, 20),
    )


def test_an_advocate_at_the_cap_is_resting_and_not_booked(reference: World, settings: Any) -> None:
    world = reference
    settings.ADVOCACY_REFERENCE_CALLS_PER_QUARTER = 2
    for day in (date(2026, 10, 2), date(2026, 11, 3)):
        ReferenceCallFactory.create(account=world.account, advocate=world.executive, date=day)
    url = reverse("advocacy_call_book", args=[world.account.slug])
    data = {"advocate": world.executive.pk, "prospect": "Initrode", "date": "2026-12-15"}
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, data)
    assert response.status_code == 422
    assert "is resting" in response.content.decode()
    (row,) = figures.references(world.account, date(2026, 11, 16))
    assert (row.calls, row.resting) == (2, True)
    # The next quarter, they are available again.
    services.book_reference_call(
        world.account,
        world.executive,
        prospect="Initrode",
        day=date(2027, 1, 5),
        acting_user=world.csm,
    )


def test_the_cap_follows_the_setting(reference: World, settings: Any) -> None:
    world = reference
    settings.ADVOCACY_REFERENCE_CALLS_PER_QUARTER = 1
    ReferenceCallFactory.create(
        account=world.account, advocate=world.executive, date=date(2026, 11, 1)
    )
    with unchanged(), pytest.raises(ValidationError, match="resting"):
        services.book_reference_call(
            world.account,
            world.executive,
            prospect="X",
            day=date(2026, 11, 30),
            acting_user=world.csm,
        )


def test_someone_who_did_not_agree_is_not_booked(reference: World) -> None:
    world = reference
    url = reverse("advocacy_call_book", args=[world.account.slug])
    data = {"advocate": world.member.pk, "prospect": "Initrode", "date": "2026-11-20"}
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, data)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()  # only references are offered
    with unchanged(), pytest.raises(ValidationError, match="has not agreed to be a reference"):
        services.book_reference_call(
            world.account, world.member, prospect="X", day=date(2026, 11, 20), acting_user=world.csm
        )


def test_a_call_is_marked_done_once(reference: World) -> None:
    world = reference
    call = ReferenceCallFactory.create(account=world.account, advocate=world.executive)
    url = reverse("advocacy_call_done", args=[world.account.slug, call.pk])
    assert client_for(world.csm).post(url).status_code == 302
    call.refresh_from_db()
    assert call.done
    assert not services.mark_call_done(call, acting_user=world.csm)


def test_a_call_of_another_account_is_404(reference: World) -> None:
    world = reference
    call = ReferenceCallFactory.create(account=world.other_account)
    url = reverse("advocacy_call_done", args=[world.account.slug, call.pk])
    client = client_for(world.admin)
    with unchanged():
        assert client.post(url).status_code == 404
