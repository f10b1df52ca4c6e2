"""The churn forecast: outcomes read from contracts, features without leakage, a model that
ranks churners first on held-out history, the nightly training, and the vendor's pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import time_machine
from django.urls import reverse
from sklearn.metrics import roc_auc_score

from accounts.models import CustomerRole
from forecast import figures, services
from forecast.models import ChurnForecast, ForecastModel
from insights.models import ContractKind
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory, PortalVisitFactory
from tests.forecast_factories import (
    SIMPLE_PARAMETERS,
    ChurnForecastFactory,
    ContractFactory,
    ForecastModelFactory,
    HealthScoreFactory,
    UsageDayFactory,
    generated_rows,
    make_renewal_history,
)
from tests.queries import page_queries

TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 9, tzinfo=UTC))


# The model ----------------------------------------------------------------------------------------


def test_it_ranks_accounts_that_will_churn_above_those_that_will_not() -> None:
    """Trained on history generated from a known rule (churn as usage falls and NPS and health
    drop, with noise), it ranks held-out accounts: area under the ROC curve at least 0.8."""
    rows, labels = generated_rows(400, seed=11)
    held_rows, held_labels = generated_rows(200, seed=12)
    trained = figures.train(rows, labels)
    predicted = [figures.score(trained.parameters, row).probability for row in held_rows]
    assert roc_auc_score(held_labels, predicted) >= 0.8
    assert trained.auc is not None and trained.auc >= 0.8  # its own held-out folds agree


def test_a_model_of_noise_ranks_no_better_than_chance() -> None:
    """The check above can fail: labels unrelated to the features give no ranking."""
    rows, _ = generated_rows(400, seed=11)
    held_rows, _ = generated_rows(200, seed=12)
    rng = np.random.default_rng(5)
    trained = figures.train(rows, list(rng.integers(0, 2, 400)))
    predicted = [figures.score(trained.parameters, row).probability for row in held_rows]
    assert roc_auc_score(list(rng.integers(0, 2, 200)), predicted) < 0.65


def test_the_stored_numbers_score_as_the_fitted_model_does() -> None:
    rows, labels = generated_rows(200, seed=4)
    trained = figures.train(rows, labels)
    pipeline = figures._pipeline().fit(np.array([r.vector() for r in rows]), np.array(labels))
    for row in rows[:20]:
        expected = pipeline.predict_proba(np.array([row.vector()]))[0, 1]
        assert figures.score(trained.parameters, row).probability == pytest.approx(expected)


def test_the_drivers_are_the_features_that_push_most_in_plain_words() -> None:
    row = figures.FeatureRow(
        1,
        TODAY,
        {"usage_trend": -40.0, "seat_use": 60.0, "health": 30.0, "nps": None, "time_to_value": 40.0, "champion_away": 90.0, "champion_visits": 0.0},
    )  # fmt: skip
    scored = figures.score(SIMPLE_PARAMETERS, row)
    # Pushes: usage 2.4, health 1.6, champion away 0.8, visits 0.1; the missing NPS none.
    assert [d.feature for d in scored.drivers] == ["usage_trend", "health", "champion_away"]
    assert scored.drivers[2].words == "The champion last visited the portal 90 days ago"
    assert scored.drivers[0].words == "Weekly active users fell 40% in 30 days"
    assert scored.drivers[0].raises and scored.drivers[1].raises
    assert scored.drivers[1].words == "Health score 30 of 100"
    assert 0.5 < scored.probability < 1


# Outcomes ----------------------------------------------------------------------------------------


def test_outcomes_are_read_from_what_followed_each_contract(db: None) -> None:
    renewed, churned, contracted, pending, expanded = AccountFactory.create_batch(5)
    ended = TODAY - timedelta(days=60)
    for account in (renewed, churned, contracted, pending, expanded):
        start = (TODAY - timedelta(days=10)) if account is pending else ended
        ContractFactory.create(
            account=account, starts_on=start - timedelta(days=365), ends_on=start
        )
    ContractFactory.create(
        account=renewed,
        kind=ContractKind.RENEWAL,
        starts_on=ended + timedelta(days=3),
        ends_on=ended + timedelta(days=368),
    )
    ContractFactory.create(
        account=contracted,
        kind=ContractKind.CONTRACTION,
        starts_on=ended,
        ends_on=ended + timedelta(days=90),
    )
    ContractFactory.create(
        account=expanded,
        kind=ContractKind.EXPANSION,
        starts_on=ended,
        ends_on=ended + timedelta(days=365),
    )
    # A line added mid-term that ends first is no renewal: the account's runs on.
    ContractFactory.create(
        account=expanded,
        kind=ContractKind.EXPANSION,
        starts_on=ended + timedelta(days=5),
        ends_on=ended + timedelta(days=40),
    )
    found = {o.account_id: o.result for o in figures.renewal_outcomes(TODAY)}
    assert found == {
        renewed.pk: figures.RENEWED,
        churned.pk: figures.CHURNED,
        contracted.pk: figures.CONTRACTED,
        expanded.pk: figures.RENEWED,
    }


def test_features_use_only_what_was_known_before_the_day(db: None) -> None:
    account = AccountFactory.create()
    as_of = TODAY - timedelta(days=100)
    champion = MembershipFactory.create(account=account, role=CustomerRole.CHAMPION).user
    for offset in range(1, 61):
        UsageDayFactory.create(
            account=account,
            day=as_of - timedelta(days=offset),
            weekly_active_users=5 if offset <= 30 else 10,
        )
    HealthScoreFactory.create(account=account, day=as_of - timedelta(days=1), score=41)
    PortalVisitFactory.create(user=champion, account=account, day=as_of - timedelta(days=12))
    before = figures.feature_row(account, as_of).values
    # What happened on the day and after changes nothing.
    for offset in range(0, 30):
        UsageDayFactory.create(
            account=account, day=as_of + timedelta(days=offset), weekly_active_users=90
        )
    HealthScoreFactory.create(account=account, day=as_of, score=99)
    PortalVisitFactory.create(user=champion, account=account, day=as_of)
    assert figures.feature_row(account, as_of).values == before
    assert before["usage_trend"] == pytest.approx(-50)
    assert before["health"] == 41
    assert before["champion_away"] == 12
    assert before["champion_visits"] == 1
    assert before["nps"] is None and before["time_to_value"] is None


# Training ---------------------------------------------------------------------------------------


def test_with_too_little_history_it_trains_nothing(db: None, settings: Any) -> None:
    settings.CHURN_FORECAST_MIN_OUTCOMES = 30
    make_renewal_history(12, TODAY)
    assert services.retrain(today=TODAY) is None
    assert not ForecastModel.objects.exists() and not ChurnForecast.objects.exists()
    assert figures.history(TODAY).outcomes == 12


def test_the_nightly_training_learns_from_history_and_scores_accounts(
    db: None, settings: Any
) -> None:
    settings.CHURN_FORECAST_MIN_OUTCOMES = 30
    made = make_renewal_history(60, TODAY)
    falling = next(h.account for h in made if not h.churned)
    for offset in range(1, 61, 3):
        UsageDayFactory.create(
            account=falling,
            day=TODAY - timedelta(days=offset),
            weekly_active_users=8 if offset <= 30 else 40,
        )
    model = services.retrain(today=TODAY)
    assert model is not None
    assert model.outcomes == 60 and model.lost == sum(h.churned for h in made)
    assert model.auc is not None and model.auc >= 0.7
    # Accounts still customers (a renewal running) are scored; churned ones are not.
    scored = set(ChurnForecast.objects.values_list("account_id", flat=True))
    assert scored == {h.account.pk for h in made if not h.churned}
    forecast = ChurnForecast.objects.get(account=falling)
    assert forecast.drivers[0]["words"] == "Weekly active users fell 80% in 30 days"
    assert forecast.probability == max(ChurnForecast.objects.values_list("probability", flat=True))
    # A second run replaces the forecasts, never adds to them.
    services.retrain(today=TODAY)
    assert ChurnForecast.objects.count() == len(scored)


def test_the_task_is_scheduled_nightly(settings: Any) -> None:
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "forecast.retrain"]
    assert len(entries) == 1


# Pages ------------------------------------------------------------------------------------------


def test_the_360_card_shows_the_probability_its_band_and_drivers(world: World) -> None:
    ChurnForecastFactory.create(account=world.account, probability=0.73)
    url = reverse("account_panel", args=[world.account.slug, "churn-forecast"])
    page = client_for(world.csm).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "73%" in page and "High risk" in page
    assert "Weekly active users fell 63% in 30 days" in page
    assert "0.87" in page  # the model's AUC


def test_without_a_model_the_pages_say_how_much_history_is_missing(world: World) -> None:
    ContractFactory.create(
        account=world.account,
        starts_on=TODAY - timedelta(days=400),
        ends_on=TODAY - timedelta(days=35),
    )
    csm = client_for(world.csm)
    card = csm.get(reverse("account_panel", args=[world.account.slug, "churn-forecast"]))
    console = csm.get(reverse("forecast"))
    for page in (card.content.decode(), console.content.decode()):
        assert "Not enough renewal history yet: 1 of the 30 outcomes needed" in page
        assert "%" not in page.split("Not enough")[1].split("</section>")[0]


def test_the_console_lists_the_likeliest_first_within_the_viewers_book(world: World) -> None:
    model = ForecastModelFactory.create()
    ChurnForecastFactory.create(account=world.account, model=model, probability=0.2)
    mine = AccountFactory.create(name="Zenith", owner=world.csm)
    ChurnForecastFactory.create(account=mine, model=model, probability=0.9)
    ChurnForecastFactory.create(account=world.other_account, model=model, probability=0.95)
    page = client_for(world.csm).get(reverse("forecast")).content.decode()
    assert page.index("Zenith") < page.index("Acme")
    assert "Bluth" not in page
    assert "Bluth" in client_for(world.admin).get(reverse("forecast")).content.decode()


def test_the_console_costs_the_same_queries_for_one_account_as_for_many(world: World) -> None:
    model = ForecastModelFactory.create()
    ChurnForecastFactory.create(account=world.account, model=model)
    client = client_for(world.csm)
    one = page_queries(client, reverse("forecast"))
    for _ in range(30):
        ChurnForecastFactory.create(account=AccountFactory.create(owner=world.csm), model=model)
    assert page_queries(client, reverse("forecast")) == one


def test_a_drivers_words_are_made_in_the_readers_language() -> None:
    from django.utils import translation

    fell = {"feature": "usage_trend", "words": "as scored", "push": 1.2, "value": -40.0}
    away = {"feature": "champion_away", "words": "as scored", "push": 0.5, "value": 1.0}
    assert figures.driver_words(fell) == "Weekly active users fell 40% in 30 days"
    assert figures.driver_words(away) == "The champion last visited the portal 1 day ago"
    with translation.override("de"):
        assert (
            figures.driver_words(fell)
            == "Die wöchentlich aktiven Nutzer sanken in 30 Tagen um 40 %"
        )
        assert figures.words_of("nps", None) == "Keine NPS-Antwort in 180 Tagen"
    # A forecast stored before values were kept reads as it was written.
    assert figures.driver_words({"feature": "nps", "words": "NPS +40", "push": 0.4}) == "NPS +40"
