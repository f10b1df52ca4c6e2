"""NPS, CSAT and CES against hand-computed sets; in the database, one query each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from surveys.models import Kind, Response
from surveys.scoring import summarize
from tests.conftest import World
from tests.factories import UserFactory
from tests.survey_helpers import deliver, make_campaign, make_survey


def answers(world: World, kind: str, scores: list[int]) -> None:
    """One response per score, each from a new person (bulk, no services)."""
    survey = make_survey(world.csm, kind)
    campaign = make_campaign(survey, world.csm)
    people: list[User] = [UserFactory() for _ in scores]
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
    with CaptureQueriesContext(connection) as queries:
        summary = summarize(Response.objects.filter(account=world.account))
        assert summary.nps.score == 0
    assert len(queries) == 1
