"""Advocacy in the reader's language: the board, the account's advocacy page, the ask as the
person asked reads it, the referral form and the case studies show no English left in the
pseudo-translation (tests/pseudo.py); what stays is data (people, companies, titles)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.models import Notification
from advocacy import services
from advocacy.casestudies import case_study_html
from advocacy.models import AskKind
from tests.advocacy_factories import make_advocacy_world, nps_answer
from tests.conftest import World, client_for
from tests.pseudo import english_left, english_left_on, pseudo_translation

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
# The case studies' story: the CSM's own Markdown (tests/advocacy_factories.py), data.
STORY = ["The challenge", "Month-end took", "two days", "The result", "Now it takes two hours."]


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def advocacy(world: World) -> dict[str, Any]:
    return make_advocacy_world(world)


def data_of(world: World, a: dict[str, Any]) -> list[str]:
    """The names on the pages: people, the account, the referral, the calls, the stories."""
    people = [world.champion, world.executive, world.member, world.csm]
    referral = a["referral"]
    return [
        "Acme",
        *(p.display_name for p in people),
        *(p.email for p in people),
        referral.company,
        referral.contact_name,
        a["call"].prospect,
        a["open_ask"].note,
        *(a[name].title for name in ("draft", "sent", "approved")),
        *(q.text for q in a["sent"].quotes.all()),
        *(q.said_by for q in a["sent"].quotes.all()),
        "The reports save us a day a week.",  # the champion's survey comment, quotable
        *STORY,
    ]


def test_the_board_has_no_english_left(world: World, advocacy: dict[str, Any]) -> None:
    left = english_left_on(
        client_for(world.csm), reverse("advocacy_board"), allowed=data_of(world, advocacy)
    )
    assert left == []


def test_the_accounts_advocacy_page_has_no_english_left(
    world: World, advocacy: dict[str, Any]
) -> None:
    url = reverse("advocacy_account", args=["acme"])
    assert english_left_on(client_for(world.csm), url, allowed=data_of(world, advocacy)) == []


def test_the_ask_and_the_referral_form_have_no_english_left(
    world: World, advocacy: dict[str, Any]
) -> None:
    champion = client_for(world.champion)
    ask = reverse("advocacy_my_ask", args=["acme", advocacy["open_ask"].pk])
    assert english_left_on(champion, ask, allowed=data_of(world, advocacy)) == []
    refer = reverse("advocacy_refer", args=["acme"])
    assert english_left_on(champion, refer, allowed=data_of(world, advocacy)) == []


def test_the_case_study_editor_and_review_have_no_english_left(
    world: World, advocacy: dict[str, Any]
) -> None:
    data = data_of(world, advocacy)
    csm = client_for(world.csm)
    new = reverse("advocacy_case_study_new", args=["acme"])
    draft = reverse("advocacy_case_study", args=["acme", advocacy["draft"].pk])
    assert english_left_on(csm, new, allowed=data) == []
    assert english_left_on(csm, draft, allowed=data) == []
    review = reverse("advocacy_case_study_review", args=["acme", advocacy["sent"].pk])
    assert english_left_on(client_for(world.champion), review, allowed=data) == []


def test_the_case_study_pdf_has_no_english_left(world: World, advocacy: dict[str, Any]) -> None:
    with pseudo_translation() as language, translation.override(language):
        html = case_study_html(advocacy["approved"])
    data = [*data_of(world, advocacy), "Northwind Software"]
    assert english_left(html, within="body", allowed=data) == []


def test_an_inbox_title_is_made_in_the_readers_language(world: World) -> None:
    nps_answer(world.account, world.member, 10)
    with pseudo_translation() as language:
        world.member.language = language  # the reader's language, whoever asks
        world.member.save(update_fields=["language"])
        services.ask_for_advocacy(
            world.account, world.member, AskKind.REVIEW, acting_user=world.csm
        )
    title = Notification.objects.get(user=world.member).title
    assert title.startswith("⟦") and "Acme" in title
    # In English, as before.
    nps_answer(world.account, world.executive, 10)
    services.ask_for_advocacy(world.account, world.executive, AskKind.REVIEW, acting_user=world.csm)
    assert (
        Notification.objects.get(user=world.executive).title
        == "Write a review? Acme's team at the vendor asks you"
    )


def test_a_sentence_with_a_link_inside_reads_as_marked() -> None:
    # One blocktranslate holding a link or <strong> comes out as one marked text across tags.
    assert english_left('<p>⟦Know a company? <a href="/refer/">Refer them</a>.⟧</p>') == []
    assert english_left('<p>⟦Read <a href="/guide/">the guide⟧</a> now</p>') == ["now"]
    assert english_left('<p title="Page">⟦Read <a href="/g/">it</a>⟧</p>') == ["Page"]
