"""The health score: its parts from real data, weights, re-normalisation when parts have no
data, band boundaries, the stored history and the explanation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Account
from insights.figures import health
from insights.figures.health import Part, band, combine, explain, part_why, pulled_down
from insights.models import AccountFacts, HealthBand, HealthConfig, HealthScore
from insights.services.health import compute_health, compute_health_scores
from insights.services.ingest import upsert_usage
from insights.services.usage import roll_up
from portal.jobs import enqueue
from successplans.models import PlanHealth
from surveys.models import Kind, Response
from tests.conftest import World
from tests.factories import UserFactory
from tests.onboarding_helpers import start
from tests.plan_helpers import make_plan
from tests.survey_helpers import deliver, make_campaign, make_survey

# Every test runs on this day (the autouse fixture below stops the clock there).
DAY = date(2026, 5, 13)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 5, 13, 12, tzinfo=UTC), tick=False)


def config(**weights: int) -> HealthConfig:
    return HealthConfig(**{f"{name}_weight": w for name, w in weights.items()})


def active(account: Account, users: int, days_ago: int = 0) -> None:
    upsert_usage(
        {
            "account_id": account.pk,
            "user_key": f"u{n}",
            "day": DAY - timedelta(days_ago),
            "feature": "reports",
            "count": 1,
        }
        for n in range(users)
    )
    roll_up([account.pk], [DAY - timedelta(days_ago)])


def facts(account: Account, **fields: Any) -> AccountFacts:
    row, _ = AccountFacts.objects.update_or_create(account=account, defaults=fields)
    return row


def nps_answers(world: World, scores: list[int], days_ago: int = 1) -> None:
    survey = make_survey(world.csm, Kind.NPS)
    campaign = make_campaign(survey, world.csm)
    for score in scores:
        person = UserFactory.create()
        Response.objects.create(
            delivery=deliver(campaign, person, account=world.account),
            campaign=campaign,
            account=world.account,
            user=person,
            kind=Kind.NPS,
            score=score,
            answered_at=timezone.now() - timedelta(days=days_ago),
        )


# Weights, re-normalisation, rounding, bands --------------------------------------------------

ALL_PARTS = {
    "usage": Part(40, "u"),
    "sentiment": Part(80, "s"),
    "onboarding": Part(100, "o"),
    "plan": Part(50, "p"),
    "renewal": Part(20, "r"),
    "pulse": Part(0, "c"),
}


def test_default_weights_weigh_every_part() -> None:
    # (40x30 + 80x20 + 100x15 + 50x15 + 20x10 + 0x10) / 100 = 52.5, rounded half up.
    result = combine(ALL_PARTS, HealthConfig())
    assert result is not None
    assert result.score == 53
    assert result.band == HealthBand.AT_RISK
    assert result.parts["usage"] == {"score": 40, "weight": 30, "why": "u"}


def test_missing_parts_are_left_out_and_the_weights_renormalised() -> None:
    parts = {"usage": Part(40, "u"), "pulse": Part(100, "c")}
    result = combine(parts, HealthConfig())
    assert result is not None
    assert result.score == 55  # (40x30 + 100x10) / 40
    assert set(result.parts) == {"usage", "pulse"}


def test_one_part_alone_is_the_score() -> None:
    result = combine({"renewal": Part(20, "r")}, HealthConfig())
    assert result is not None
    assert result.score == 20


def test_a_part_weighted_zero_is_left_out() -> None:
    result = combine(ALL_PARTS, config(pulse=0, renewal=0))
    assert result is not None
    assert "pulse" not in result.parts
    assert result.score == round((1200 + 1600 + 1500 + 750) / 80)  # 63.1 -> 63


def test_no_part_with_data_is_no_score() -> None:
    assert combine({}, HealthConfig()) is None
    assert combine({"pulse": Part(0, "c")}, config(pulse=0)) is None


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (100, HealthBand.HEALTHY),
        (70, HealthBand.HEALTHY),
        (69, HealthBand.AT_RISK),
        (40, HealthBand.AT_RISK),
        (39, HealthBand.CRITICAL),
        (0, HealthBand.CRITICAL),
    ],
)
def test_band_boundaries(score: int, expected: str) -> None:
    assert band(score, HealthConfig()) == expected


def test_bands_follow_the_settings() -> None:
    strict = HealthConfig(healthy_from=80, at_risk_from=60)
    assert [band(s, strict) for s in (80, 79, 60, 59)] == [
        HealthBand.HEALTHY,
        HealthBand.AT_RISK,
        HealthBand.AT_RISK,
        HealthBand.CRITICAL,
    ]


# The parts from data ---------------------------------------------------------------------------


def test_usage_against_seats(world: World) -> None:
    active(world.account, 4)
    seats = facts(world.account, licensed_seats=10)
    assert health.usage_part(world.account, DAY, seats) == Part(40, "MAU is 40% of seats (4 of 10)")
    more = facts(world.account, licensed_seats=2)
    assert health.usage_part(world.account, DAY, more) == Part(100, "MAU is 200% of seats (4 of 2)")


def test_usage_against_its_own_peak_without_seats(world: World) -> None:
    active(world.account, 8, days_ago=40)
    active(world.account, 4)
    part = health.usage_part(world.account, DAY, None)
    # MAU today: u0-u3 today (u4-u7 were 40 days ago); peak: 8, forty days ago.
    assert part == Part(50, "MAU is 50% of its 90-day peak (4 of 8)")


def test_usage_silent_for_30_days_is_zero_and_none_ever_is_no_data(world: World) -> None:
    assert health.usage_part(world.account, DAY, None) is None
    active(world.account, 3, days_ago=100)
    assert health.usage_part(world.account, DAY, None) == Part(
        0, "No active users in the last 30 days"
    )


def test_sentiment_maps_nps_to_0_100(world: World) -> None:
    assert health.sentiment_part(world.account, DAY) is None
    nps_answers(world, [10, 9, 7, 3])  # 2 promoters, 1 detractor of 4: NPS +25
    nps_answers(world, [0, 0], days_ago=200)  # too old to count
    assert health.sentiment_part(world.account, DAY) == Part(
        63, "NPS +25 from 4 answers in 180 days"
    )


def test_a_negative_nps_reads_with_a_real_minus_as_everywhere(world: World) -> None:
    nps_answers(world, [0, 3, 9])  # 1 promoter, 2 detractors of 3: NPS -33.3
    assert health.sentiment_part(world.account, DAY) == Part(
        33, "NPS \u221233 from 3 answers in 180 days"
    )


def test_usage_far_above_the_seats_reads_as_a_grouped_percentage(world: World) -> None:
    active(world.account, 25)
    part = health.usage_part(world.account, DAY, facts(world.account, licensed_seats=2))
    assert part == Part(100, "MAU is 1,250% of seats (25 of 2)")


def test_onboarding_is_the_share_of_required_tasks_not_overdue(world: World) -> None:
    assert health.onboarding_part(world.account, DAY) is None
    checklist = start(world, kickoff=DAY - timedelta(days=5))
    # Required and shared: kickoff (due day 0), goals (3) overdue; data (7), report (14) not.
    # The internal handover (2) is the vendor's: it never counts, as on every onboarding page.
    assert health.onboarding_part(world.account, DAY) == Part(
        50, "0 of 4 required tasks done (0%), 2 overdue"
    )
    checklist.tasks.update(completed_at=timezone.now())
    assert health.onboarding_part(world.account, DAY) == Part(100, "Onboarding completed")


def test_plan_health_and_the_csm_override(world: World) -> None:
    assert health.plan_part(world.account, DAY) is None
    plan = make_plan(world)
    assert health.plan_part(world.account, DAY) == Part(
        100, "“FY27 success plan” is on track (from milestones and KPIs)"
    )
    plan.health_override = PlanHealth.OFF_TRACK
    plan.save()
    assert health.plan_part(world.account, DAY) == Part(
        0, "“FY27 success plan” is off track (set by the CSM)"
    )
    assert health.plan_part(world.account, plan.ends_on + timedelta(days=1)) is None


@pytest.mark.parametrize(
    ("days", "usage", "expected"),
    [
        (None, None, None),
        (120, None, Part(100, "Renewal in 120 days")),
        (90, Part(10, ""), Part(100, "Renewal in 90 days")),
        (89, Part(50, ""), Part(70, "Renewal in 89 days, usage is healthy")),
        (30, Part(49, ""), Part(20, "Renewal in 30 days with low usage")),
        (30, None, Part(50, "Renewal in 30 days, usage unknown")),
        (-5, Part(10, ""), Part(20, "Renewal date passed 5 days ago with low usage")),
    ],
)
def test_renewal_proximity(
    world: World, days: int | None, usage: Part | None, expected: Part | None
) -> None:
    world.account.renewal_date = None if days is None else DAY + timedelta(days=days)
    assert health.renewal_part(world.account, DAY, usage) == expected


def test_pulse(world: World) -> None:
    assert health.pulse_part(None) is None
    assert health.pulse_part(facts(world.account, pulse="")) is None
    assert health.pulse_part(facts(world.account, pulse="good")) == Part(
        100, "The CSM's pulse: good"
    )
    concerned = facts(world.account, pulse="concerned", pulse_note="Budget cuts")
    assert health.pulse_part(concerned) == Part(0, "The CSM's pulse: concerned (Budget cuts)")
    neutral = health.pulse_part(facts(world.account, pulse="neutral"))
    assert neutral is not None and neutral.score == 50


# Storing and explaining ----------------------------------------------------------------------


@pytest.fixture
def troubled(world: World) -> Account:
    """Usage 40 (4 of 10 seats), renewal in 30 days with low usage (20), pulse concerned (0)."""
    active(world.account, 4)
    facts(world.account, licensed_seats=10, pulse="concerned")
    world.account.renewal_date = DAY + timedelta(days=30)
    world.account.save()
    return world.account


def test_compute_health_stores_the_score_and_its_parts(troubled: Account) -> None:
    stored = compute_health(troubled, DAY)
    assert stored is not None
    assert stored.score == 28  # (40x30 + 20x10 + 0x10) / 50
    assert stored.band == HealthBand.CRITICAL
    assert {name: (p["score"], p["weight"], part_why(p["why"])) for name, p in stored.parts.items()} == {
        "usage": (40, 30, "MAU is 40% of seats (4 of 10)"),
        "renewal": (20, 10, "Renewal in 30 days with low usage"),
        "pulse": (0, 10, "The CSM's pulse: concerned"),
    }  # fmt: skip


def test_the_parts_that_pulled_it_down_costliest_first(troubled: Account) -> None:
    stored = compute_health(troubled, DAY)
    assert stored is not None
    drags = explain(stored)
    assert [(d.part, d.label, d.points_lost) for d in drags] == [
        ("usage", "Usage", 36),  # 30/50 of the weight x 60 points short
        ("pulse", "CSM pulse", 20),
        ("renewal", "Renewal", 16),
    ]
    assert drags[0].why == "MAU is 40% of seats (4 of 10)"


def test_parts_at_or_above_the_threshold_did_not_pull_it_down(db: None) -> None:
    parts = {
        "usage": {"score": 70, "weight": 30, "why": ""},
        "pulse": {"score": 69, "weight": 10, "why": ""},
    }
    assert [d.part for d in pulled_down(parts)] == ["pulse"]
    assert [d.part for d in pulled_down(parts, below=80)] == ["usage", "pulse"]
    assert pulled_down({}) == []


def test_computing_again_updates_the_same_day(troubled: Account) -> None:
    compute_health(troubled, DAY)
    facts(troubled, pulse="good")
    stored = compute_health(troubled, DAY)
    assert stored is not None
    assert stored.score == 48  # (1200 + 200 + 1000) / 50
    assert HealthScore.objects.filter(account=troubled).count() == 1
    compute_health(troubled, DAY - timedelta(days=1))
    assert HealthScore.objects.filter(account=troubled).count() == 2  # daily history


def test_the_settings_weights_apply(troubled: Account) -> None:
    HealthConfig.objects.create(usage_weight=10, renewal_weight=0, pulse_weight=30)
    stored = compute_health(troubled, DAY)
    assert stored is not None
    assert stored.score == 10  # (40x10 + 0x30) / 40
    assert set(stored.parts) == {"usage", "pulse"}


def test_an_account_with_no_data_gets_no_score(world: World) -> None:
    assert compute_health(world.account, DAY) is None
    assert not HealthScore.objects.exists()


def test_the_task_scores_one_account_on_demand(
    troubled: Account, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    facts(world.other_account, pulse="good")
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("insights.compute_health_scores", account_id=troubled.pk)
    assert list(HealthScore.objects.values_list("account_id", "score")) == [(troubled.pk, 28)]
    assert compute_health_scores() == 2  # nightly: every account with data
