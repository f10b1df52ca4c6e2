"""NPS, CSAT, CES and the response rate against hand-computed sets; in the database, one
query each."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from surveys.figures import (
    api_figures,
    ces,
    csat,
    nps,
    response_rate,
    summarize,
    window_start,
)
from surveys.models import Delivery, Kind, Response
from tests.conftest import World
from tests.factories import UserFactory
from tests.queries import count_queries, counting
from tests.survey_helpers import SURVEY_NOW, deliver, make_campaign, make_survey


@pytest.fixture(autouse=True)
def _now(time_machine: Any) -> None:
    time_machine.move_to(SURVEY_NOW, tick=False)


def answers(world: World, kind: str, scores: list[int]) -> None:
    """One response per score, each from a new person (bulk, no services)."""
    survey = make_survey(world.csm, kind)
    campaign = make_campaign(survey, world.csm)
    people: list[User] = [UserFactory.create() for _ in scores]
    for person, score in zip(people, scores, strict=True):
        delivery = deliver(campaign, person, account=world.account)
        Response.objects.create(
            delivery=delivery,
            campaign=campaign,
            account=world.account,
            user=person,
            kind=kind,
            score=score,
        )


def test_all_promoters_is_plus_100(world: World) -> None:
    answers(world, Kind.NPS, [9, 10, 10, 9])
    nps = summarize(Response.objects.all()).nps
    assert (nps.responses, nps.promoters, nps.passives, nps.detractors) == (4, 4, 0, 0)
    assert nps.score == 100
    assert nps.promoters_percent == 100


def test_all_detractors_is_minus_100(world: World) -> None:
    answers(world, Kind.NPS, [0, 3, 6])
    assert summarize(Response.objects.all()).nps.score == -100


def test_no_responses_is_no_figure_not_a_division_by_zero(db: None) -> None:
    summary = summarize(Response.objects.all())
    assert summary.responses == 0
    assert summary.nps.score is None
    assert summary.nps.promoters_percent is None
    assert summary.csat.score is None
    assert summary.ces.score is None and summary.ces.easy_percent is None


def test_mixed_nps(world: World) -> None:
    # 10 answers: promoters 10, 9, 9 (3); passives 8, 7 (2); detractors 6, 5, 3, 0, 0 (5).
    answers(world, Kind.NPS, [10, 9, 9, 8, 7, 6, 5, 3, 0, 0])
    nps = summarize(Response.objects.all()).nps
    assert (nps.promoters, nps.passives, nps.detractors) == (3, 2, 5)
    assert nps.score == pytest.approx(30 - 50)  # 30% - 50%
    assert nps.passives_percent == pytest.approx(20)


def test_mixed_csat_counts_4_and_5(world: World) -> None:
    answers(world, Kind.CSAT, [5, 4, 3, 2, 1, 5, 4, 4])  # 5 of 8 are 4 or 5
    csat = summarize(Response.objects.all()).csat
    assert csat.responses == 8
    assert csat.score == pytest.approx(62.5)


def test_mixed_ces_mean_and_share_of_5_to_7(world: World) -> None:
    answers(world, Kind.CES, [7, 6, 5, 4, 1, 3])  # mean 26/6; 3 of 6 are 5 to 7
    ces = summarize(Response.objects.all()).ces
    assert ces.mean == pytest.approx(26 / 6)
    assert ces.easy_percent == pytest.approx(50)


def test_kinds_do_not_mix(world: World) -> None:
    answers(world, Kind.NPS, [10])
    answers(world, Kind.CSAT, [1])
    answers(world, Kind.CES, [7])
    summary = summarize(Response.objects.all())
    assert (summary.nps.score, summary.csat.score, summary.ces.mean) == (100, 0, 7)


def test_every_figure_is_one_query(world: World) -> None:
    answers(world, Kind.NPS, [10, 0])
    with counting() as queries:
        summary = summarize(Response.objects.filter(account=world.account))
        assert summary.nps.score == 0
    assert len(queries) == 1


@pytest.mark.parametrize("figure", [nps, csat, ces])
def test_one_figure_is_one_query_of_its_own_kind(world: World, figure: Any) -> None:
    answers(world, Kind.NPS, [10, 10])
    answers(world, Kind.CSAT, [5, 1])
    answers(world, Kind.CES, [7, 1])
    assert count_queries(lambda: figure(Response.objects.all())) == 1
    result = figure(Response.objects.all())
    assert result.responses == 2  # the other kinds are not counted
    assert result.score == {nps: 100, csat: 50, ces: 4}[figure]


def test_one_figure_agrees_with_the_summary(world: World) -> None:
    answers(world, Kind.NPS, [10, 9, 8, 3, 0, 0, 7])
    answers(world, Kind.CES, [7, 2, 4])
    summary = summarize(Response.objects.all())
    assert nps(Response.objects.all()) == summary.nps
    assert ces(Response.objects.all()) == summary.ces
    assert csat(Response.objects.all()) == summary.csat


def test_the_response_rate(world: World) -> None:
    assert response_rate(Delivery.objects.all()).percent is None  # nobody asked: no data
    answers(world, Kind.NPS, [10, 9, 3])
    campaign = make_campaign(make_survey(world.csm), world.csm)
    for _ in range(5):
        deliver(campaign, UserFactory.create(), account=world.account)  # asked, not answered
    rate = response_rate(Delivery.objects.all())
    assert (rate.asked, rate.answered) == (8, 3)
    assert rate.percent == pytest.approx(37.5)
    assert count_queries(lambda: response_rate(Delivery.objects.all())) == 1


def test_a_window_starts_at_midnight_days_before_today() -> None:
    assert window_start(None) is None
    here = timezone.get_current_timezone()
    assert window_start(365) == datetime(2025, 3, 16, tzinfo=here)  # SURVEY_NOW: 16 Mar 2026
    assert window_start(0, date(2026, 1, 31)) == datetime(2026, 1, 31, tzinfo=here)


def test_the_api_figures_are_rounded_as_the_pages_print_them(world: World) -> None:
    answers(world, Kind.NPS, [10, 9, 9, 8, 7, 7, 6, 0])  # +12.5
    answers(world, Kind.CSAT, [5, 4, 4, 1, 1, 1, 1, 1])  # 37.5%
    answers(world, Kind.CES, [7, 5, 3, 2])  # mean 4.25, 50% easy
    today = timezone.localdate()
    figures = api_figures(world.account, today - timedelta(days=365), today)
    assert figures == {
        "start": today - timedelta(days=365),
        "end": today,
        "nps": 13,
        "nps_responses": 8,
        "csat_percent": 38,
        "csat_responses": 8,
        "ces_mean": "4.3",
        "ces_easy_percent": 50,
        "ces_responses": 4,
    }
    yesterday = api_figures(world.account, today - timedelta(days=3), today - timedelta(days=1))
    assert yesterday["nps"] is None and yesterday["nps_responses"] == 0  # answered today
