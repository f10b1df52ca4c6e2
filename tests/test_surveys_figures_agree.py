"""The same answers give the same NPS, CSAT and CES wherever they are printed: the CSM's results
page, a campaign's page, the account page's survey panel and the API's account figures. The
answers are chosen so that a figure ends in .5 (rounded half up, once, by portal.formatting),
and some sit either side of the start of "the last 12 months", which every place must draw at
the same moment."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal.formatting import number, percent, signed
from surveys.figures import RESULTS_DAYS, window_start
from surveys.models import SCORED_KINDS, Campaign, Kind, Response
from tests.conftest import World, client_for
from tests.factories import UserFactory
from tests.insights_helpers import make_key
from tests.panels import account_page
from tests.survey_helpers import SURVEY_NOW, deliver, make_campaign, make_survey, stat


@dataclass(frozen=True)
class Printed:
    nps: str
    csat: str
    ces: str
    ces_easy: str


# (scores in the last 12 months, what every place prints)
CASES = {
    # NPS: 3 promoters, 2 detractors of 8 = +12.5 -> "+13"; CSAT 5 of 8 = 62.5% -> "63%";
    # CES mean 17 / 4 = 4.25 -> "4.3", 2 of 4 easy -> "50%".
    "halves up": (
        {
            Kind.NPS: [10, 9, 9, 8, 7, 7, 6, 0],
            Kind.CSAT: [5, 5, 4, 4, 4, 3, 2, 1],
            Kind.CES: [7, 5, 3, 2],
        },
        Printed(nps="+13", csat="63%", ces="4.3", ces_easy="50%"),
    ),
    # NPS: 2 promoters, 3 detractors of 8 = -12.5 -> "\u221213" (a real minus sign); CSAT 1 of 3 =
    # 33.3% -> "33%"; CES 13 / 3 = 4.33 -> "4.3", 2 of 3 easy -> "67%".
    "below zero": (
        {
            Kind.NPS: [10, 9, 8, 7, 7, 6, 5, 0],
            Kind.CSAT: [5, 3, 1],
            Kind.CES: [7, 5, 1],
        },
        Printed(nps="\u221213", csat="33%", ces="4.3", ces_easy="67%"),
    ),
}
# Answers just outside the last 12 months, which no place may count: all detractors.
TOO_OLD: dict[Kind, list[int]] = {Kind.NPS: [0, 0, 0], Kind.CSAT: [1, 1], Kind.CES: [1, 1]}


def bearer_header(key: str) -> dict[str, str]:
    """The API key as the API reads it (a key made as in tests/insights_helpers.py)."""
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(autouse=True)
def _now(time_machine: Any) -> None:
    time_machine.move_to(SURVEY_NOW, tick=False)
    cache.clear()  # the API's rate limits


def answer(world: World, campaign: Campaign, scores: list[int], *, at: Any) -> None:
    for score in scores:
        person = UserFactory.create()
        delivery = deliver(campaign, person, account=world.account, at=at)
        Response.objects.create(
            delivery=delivery,
            campaign=campaign,
            account=world.account,
            user=person,
            kind=campaign.survey.kind,
            score=score,
            answered_at=at,
        )


def make_answers(world: World, recent: dict[Kind, list[int]]) -> dict[Kind, Campaign]:
    start = window_start(RESULTS_DAYS)
    assert start is not None
    campaigns = {}
    for kind in SCORED_KINDS:
        campaign = make_campaign(make_survey(world.csm, kind), world.csm, portfolio_owner=world.csm)
        first, *rest = recent[kind]
        answer(world, campaign, [first], at=start + timedelta(minutes=1))  # just inside
        answer(world, campaign, rest, at=SURVEY_NOW - timedelta(days=20))
        answer(world, campaign, TOO_OLD[kind], at=start - timedelta(minutes=1))  # just outside
        campaigns[kind] = campaign
    return campaigns


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def from_results_page(client: Client, **query: str) -> Printed:
    pages = {
        kind: client.get(reverse("survey_results"), {"kind": kind, **query}).content.decode()
        for kind in SCORED_KINDS
    }
    return Printed(
        nps=stat(pages[Kind.NPS], "NPS"),
        csat=stat(pages[Kind.CSAT], "CSAT (answers of 4 or 5)"),
        ces=stat(pages[Kind.CES], "CES, mean of 1–7"),
        ces_easy=stat(pages[Kind.CES], "Found it easy (5–7)"),
    )


def from_account_panel(client: Client, slug: str) -> Printed:
    page = account_page(client, slug).content.decode()
    panel = re.search(
        r'<section class="card" aria-labelledby="survey-results-title">(.*?)</section>', page, re.S
    )
    assert panel, "the survey panel"

    def dd(term: str) -> str:
        found = re.search(rf"<dt>{term}</dt><dd>(.*?)</dd>", panel.group(1), re.S)
        assert found, term
        return found.group(1)

    def strong(term: str) -> str:
        found = re.search(r"<strong>(.*?)</strong>", dd(term))
        assert found, term
        return text(found.group(1))

    easy = re.search(r"(\S+) found it easy", text(dd("CES")))
    assert easy
    return Printed(
        nps=strong("NPS"), csat=strong("CSAT"), ces=strong("CES"), ces_easy=easy.group(1)
    )


def from_campaign_pages(client: Client, campaigns: dict[Kind, Campaign]) -> Printed:
    """A campaign's page counts all of its answers, whenever they were given."""
    pages = {
        kind: client.get(c.get_absolute_url()).content.decode() for kind, c in campaigns.items()
    }
    return Printed(
        nps=stat(pages[Kind.NPS], "NPS"),
        csat=stat(pages[Kind.CSAT], "CSAT (answers of 4 or 5)"),
        ces=stat(pages[Kind.CES], "CES, mean of 1–7"),
        ces_easy=stat(pages[Kind.CES], "Found it easy (5–7)"),
    )


def from_api(world: World, slug: str) -> Printed:
    key = make_key(world.admin, ["read_figures"])
    response = Client().get(f"/api/v1/accounts/{slug}/figures", headers=bearer_header(key))
    assert response.status_code == 200, response.content
    s = response.json()["surveys"]
    return Printed(
        nps=signed(s["nps"]) or "",
        csat=percent(s["csat_percent"]) or "",
        ces=number(Decimal(s["ces_mean"]), 1) or "",
        ces_easy=percent(s["ces_easy_percent"]) or "",
    )


@pytest.mark.parametrize("case", list(CASES))
def test_every_place_prints_the_same_figures(world: World, case: str) -> None:
    recent, expected = CASES[case]
    make_answers(world, recent)
    csm = client_for(world.csm)
    assert from_results_page(csm) == expected
    assert from_results_page(csm, account=world.account.slug) == expected
    assert from_account_panel(csm, world.account.slug) == expected
    assert from_account_panel(client_for(world.admin), world.account.slug) == expected
    assert from_api(world, world.account.slug) == expected


@pytest.mark.parametrize("case", list(CASES))
def test_a_campaigns_page_prints_them_the_same_way(world: World, case: str) -> None:
    recent, expected = CASES[case]
    campaigns = {}
    for kind in SCORED_KINDS:
        campaign = make_campaign(make_survey(world.csm, kind), world.csm, portfolio_owner=world.csm)
        answer(world, campaign, recent[kind], at=SURVEY_NOW - timedelta(days=3))
        campaigns[kind] = campaign
    assert from_campaign_pages(client_for(world.csm), campaigns) == expected
    assert from_results_page(client_for(world.csm)) == expected


def test_the_customers_dashboard_shows_no_survey_figures(world: World) -> None:
    """Scores are the vendor's to read: the executive's dashboard (the account page) has no
    survey panel, so it cannot print them differently."""
    make_answers(world, CASES["halves up"][0])
    for person in (world.executive, world.champion, world.member):
        page = account_page(client_for(person), world.account.slug)
        assert page.status_code == 200
        assert "survey-results-title" not in page.content.decode()
        assert "+13" not in text(page.content.decode())
    assert (
        "survey-results-title"
        in account_page(client_for(world.csm), world.account.slug).content.decode()
    )


def test_no_answers_is_no_data_everywhere(world: World) -> None:
    csm = client_for(world.csm)
    page = csm.get(reverse("survey_results")).content.decode()
    assert stat(page, "NPS") == "no responses"
    assert "No survey responses since" in account_page(csm, world.account.slug).content.decode()
    key = make_key(world.admin, ["read_figures"])
    s = (
        Client()
        .get(f"/api/v1/accounts/{world.account.slug}/figures", headers=bearer_header(key))
        .json()
    )
    assert s["surveys"]["nps"] is None and s["surveys"]["ces_mean"] is None
    assert s["surveys"]["nps_responses"] == 0
