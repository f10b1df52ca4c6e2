"""The churn forecast's figures: renewal outcomes from the contract history, each account's
features as of a day (from data known before that day only), the model's training, and an
account's churn probability with the features that push it most.

The model is a logistic regression on standardised features: its push of one feature on one
account is the coefficient times the account's standardised value, so the three drivers shown
are exactly what moves the probability, in the model's own terms.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db.models import Avg, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from accounts.models import Account, CustomerRole, PortalVisit, Stage, User
from insights.models import AccountFacts, Contract, ContractKind, HealthScore, UsageDay
from onboarding.models import Checklist
from portal.formatting import number, signed
from surveys.figures import nps
from surveys.models import Response

from . import outcomes
from .models import ChurnForecast, ForecastModel
from .outcomes import CHURNED, CONTRACTED, RENEWED, Outcome

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A renewal is decided this long around the day a contract ends: a contract starting within it
# renews (or contracts) the one that ended; nothing within it after the end is a churn.
GRACE_DAYS = 30
# Each outcome is learned from the account as it was this long before its contract ended: what
# the CSM would have known when the forecast mattered.
HORIZON_DAYS = 90
TREND_DAYS = 30  # usage: the last 30 days against the 30 before
NPS_DAYS = 180
HEALTH_STALE_DAYS = 30
CHAMPION_AWAY_CAP = 180  # a champion not seen in 180 days is as away as one never seen
CHAMPION_VISIT_DAYS = 30

# Bands of the probability the pages show.
HIGH_FROM = 0.5
MEDIUM_FROM = 0.25


def min_outcomes() -> int:
    return int(getattr(settings, "CHURN_FORECAST_MIN_OUTCOMES", 30))


# Outcomes --------------------------------------------------------------------------------------


def _outcomes_of(contracts: Sequence[Contract], today: date) -> list[Outcome]:
    grace = timedelta(days=GRACE_DAYS)
    found: list[Outcome] = []
    for end in sorted({c.ends_on for c in contracts if c.ends_on <= today}):
        following = [c for c in contracts if end - grace <= c.starts_on <= end + grace]
        following = [c for c in following if c.ends_on > end]
        if following:
            kinds = {c.kind for c in following}
            result = CONTRACTED if ContractKind.CONTRACTION in kinds else RENEWED
        elif any(c.starts_on < end and c.ends_on > end for c in contracts):
            continue  # another line runs on: the account's renewal is when that one ends
        elif end + grace <= today:
            result = CHURNED
        else:
            continue  # ended lately: a renewal may still be signed
        found.append(Outcome(contracts[0].account_id, end, result))
    return found


def contract_outcomes(today: date) -> list[Outcome]:
    """Every renewal decided so far, read from the contracts: a contract that ended with no
    contract following it for the account churned; one followed by a renewal or an expansion
    renewed; one followed by a contraction contracted. One query."""
    by_account: dict[int, list[Contract]] = defaultdict(list)
    for contract in Contract.objects.filter(starts_on__lte=today).order_by(
        "account_id", "starts_on"
    ):
        by_account[contract.account_id].append(contract)
    return [o for contracts in by_account.values() for o in _outcomes_of(contracts, today)]


def renewal_outcomes(today: date | None = None) -> list[Outcome]:
    """Every renewal decided so far, one per account and contract end: as recorded by the
    registered sources (:mod:`forecast.outcomes`; renewals registers the renewals its CSMs
    closed), else as the contract history tells it. The one place outcomes come from."""
    today = today or timezone.localdate()
    recorded = [list(source(today)) for source in outcomes.sources()]
    return outcomes.merged(recorded, contract_outcomes(today))


# Features --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    name: str
    label: StrOrPromise  # what the console calls it
    words: Callable[[float], str]  # a value in plain words


def _trend_words(value: float) -> str:
    if round(value) == 0:
        return gettext("Weekly active users held steady")
    if value < 0:
        return gettext("Weekly active users fell %(percent)s%% in 30 days") % {
            "percent": number(abs(value))
        }
    return gettext("Weekly active users rose %(percent)s%% in 30 days") % {
        "percent": number(abs(value))
    }


def _ttv_words(value: float) -> str:
    days = round(value)
    return ngettext(
        "Onboarding took %(days)s day to reach value",
        "Onboarding took %(days)s days to reach value",
        days,
    ) % {"days": number(days)}


def _away_words(value: float) -> str:
    if value >= CHAMPION_AWAY_CAP:
        return gettext("The champion has not visited the portal in 180 days")
    days = round(value)
    return ngettext(
        "The champion last visited the portal %(days)s day ago",
        "The champion last visited the portal %(days)s days ago",
        days,
    ) % {"days": number(days)}


def _visit_words(value: float) -> str:
    days = round(value)
    return ngettext(
        "The champion visited the portal on %(days)s day in 30",
        "The champion visited the portal on %(days)s days in 30",
        days,
    ) % {"days": number(days)}


def _seat_words(value: float) -> str:
    return gettext("%(percent)s%% of the seats bought are in use") % {"percent": number(value)}


def _health_words(value: float) -> str:
    return gettext("Health score %(score)s of 100") % {"score": number(value)}


def _nps_words(value: float) -> str:
    return gettext("NPS %(score)s in the last 180 days") % {"score": signed(value)}


FEATURES: tuple[Feature, ...] = (
    Feature("usage_trend", gettext_lazy("Usage trend"), _trend_words),
    Feature("seat_use", gettext_lazy("Seats in use"), _seat_words),
    Feature("health", gettext_lazy("Health score"), _health_words),
    Feature("nps", gettext_lazy("NPS"), _nps_words),
    Feature("time_to_value", gettext_lazy("Time to value"), _ttv_words),
    Feature("champion_away", gettext_lazy("Champion last seen"), _away_words),
    Feature("champion_visits", gettext_lazy("Champion's visits"), _visit_words),
)
FEATURE_NAMES = tuple(f.name for f in FEATURES)
_BY_NAME = {f.name: f for f in FEATURES}
MISSING_WORDS = {
    "usage_trend": gettext_lazy("No usage trend yet"),
    "seat_use": gettext_lazy("Seats in use unknown"),
    "health": gettext_lazy("No health score yet"),
    "nps": gettext_lazy("No NPS answer in 180 days"),
    "time_to_value": gettext_lazy("Onboarding has not reached value yet"),
    "champion_away": gettext_lazy("No champion named"),
    "champion_visits": gettext_lazy("No champion named"),
}


def words_of(feature: str, value: float | None) -> str:
    """A feature's value in plain words, in the reader's language."""
    if value is None:
        return str(MISSING_WORDS[feature])
    return _BY_NAME[feature].words(value)


def driver_words(driver: dict[str, Any]) -> str:
    """A stored driver in the reader's language: made from its feature and value when it has
    them (a forecast stored before values were kept reads as it was written; a missing value
    pushes nothing, so it is never a driver)."""
    if driver.get("value") is not None and driver.get("feature") in _BY_NAME:
        return words_of(driver["feature"], driver["value"])
    return str(driver.get("words", ""))


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


@dataclass
class FeatureRow:
    """An account as it was on ``as_of``: every feature's value (None when unknown)."""

    account_id: int
    as_of: date
    values: dict[str, float | None] = field(default_factory=dict)

    def vector(self, names: Sequence[str] = FEATURE_NAMES) -> list[float]:
        """The values in ``names``' order, NaN where unknown."""
        return [_or_nan(self.values.get(n)) for n in names]

    def words(self, name: str) -> str:
        return words_of(name, self.values.get(name))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _usage(account: Account, as_of: date) -> tuple[float | None, int | None]:
    """The change in weekly active users (the last 30 days' average against the 30 before, in
    percent) and the monthly active users of the last day rolled up."""
    window = TREND_DAYS
    days = UsageDay.objects.filter(
        account=account, day__lt=as_of, day__gte=as_of - timedelta(days=2 * window)
    )
    split = as_of - timedelta(days=window)
    recent = days.filter(day__gte=split).aggregate(wau=Avg("weekly_active_users"))["wau"]
    before = days.filter(day__lt=split).aggregate(wau=Avg("weekly_active_users"))["wau"]
    latest = days.order_by("-day").values_list("monthly_active_users", flat=True).first()
    trend = None
    if recent is not None and before:
        trend = (float(recent) - float(before)) / float(before) * 100
    return trend, latest


def _seat_use(account: Account, mau: int | None) -> float | None:
    seats = AccountFacts.objects.filter(account=account).values_list("licensed_seats", flat=True)
    licensed = seats.first()
    if mau is None or not licensed:
        return None
    return mau / licensed * 100


def _health(account: Account, as_of: date) -> float | None:
    score = (
        HealthScore.objects.filter(
            account=account, day__lt=as_of, day__gte=as_of - timedelta(days=HEALTH_STALE_DAYS)
        )
        .order_by("-day")
        .values_list("score", flat=True)
        .first()
    )
    return None if score is None else float(score)


def _nps(account: Account, as_of: date) -> float | None:
    responses = Response.objects.filter(
        account=account,
        answered_at__lt=_start_of(as_of),
        answered_at__gte=_start_of(as_of - timedelta(days=NPS_DAYS)),
    )
    return nps(responses).score


def _time_to_value(account: Account, as_of: date) -> float | None:
    """Days from the checklist's kickoff to the value milestone, when it was reached before
    ``as_of``."""
    checklist = (
        Checklist.objects.filter(account=account)
        .only("kickoff_date", "value_reached_at", "completed_at")
        .first()
    )
    if checklist is None:
        return None
    reached = checklist.value_reached_at or checklist.completed_at
    if reached is None or reached >= _start_of(as_of):
        return None
    return float(max(0, (timezone.localdate(reached) - checklist.kickoff_date).days))


def _champion(account: Account, as_of: date) -> tuple[float | None, float | None]:
    """Days since a champion of the account last visited its portal (capped), and on how many
    of the last 30 days one did."""
    champions = User.objects.filter(
        memberships__account=account, memberships__role=CustomerRole.CHAMPION
    )
    if not champions.exists():
        return None, None
    visits = PortalVisit.objects.filter(
        account=account,
        user__in=champions,
        day__lt=as_of,
        day__gte=as_of - timedelta(days=CHAMPION_AWAY_CAP),
    )
    last = visits.aggregate(last=Max("day"))["last"]
    away = CHAMPION_AWAY_CAP if last is None else min(CHAMPION_AWAY_CAP, (as_of - last).days)
    recent = visits.filter(day__gte=as_of - timedelta(days=CHAMPION_VISIT_DAYS))
    return float(away), float(recent.values("day").distinct().count())


def feature_row(account: Account, as_of: date) -> FeatureRow:
    """The account's features on ``as_of``, from what was known before that day only."""
    trend, mau = _usage(account, as_of)
    away, visits = _champion(account, as_of)
    return FeatureRow(
        account_id=account.pk,
        as_of=as_of,
        values={
            "usage_trend": trend,
            "seat_use": _seat_use(account, mau),
            "health": _health(account, as_of),
            "nps": _nps(account, as_of),
            "time_to_value": _time_to_value(account, as_of),
            "champion_away": away,
            "champion_visits": visits,
        },
    )


def feature_rows(pairs: Iterable[tuple[Account, date]]) -> list[FeatureRow]:
    """The feature rows of many (account, day) pairs: the training set, or tonight's accounts."""
    return [feature_row(account, as_of) for account, as_of in pairs]


def training_rows(outcomes: Sequence[Outcome]) -> tuple[list[FeatureRow], list[int]]:
    """Each outcome's features as they were HORIZON_DAYS before its contract ended, and its
    label (1: churned or contracted)."""
    accounts = Account.objects.in_bulk({o.account_id for o in outcomes})
    pairs = [(accounts[o.account_id], o.ended_on - timedelta(days=HORIZON_DAYS)) for o in outcomes]
    return feature_rows(pairs), [int(o.lost) for o in outcomes]


# Training and scoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Trained:
    parameters: dict[str, Any]
    auc: float | None


REGULARISATION = 0.3
# A feature that moves the log-odds less than this is not worth naming as a driver.
MIN_PUSH = 0.05


def _pipeline() -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        SimpleImputer(strategy="mean", keep_empty_features=True),
        StandardScaler(),
        # Regularised more than the default: a few dozen outcomes of features that move together
        # (usage, seats in use, health) would otherwise give one of them a sign against sense.
        LogisticRegression(C=REGULARISATION, max_iter=1000),
    )


def held_out_auc(x: np.ndarray, y: np.ndarray, seed: int = 0) -> float | None:
    """The area under the ROC curve of predictions each made by a model that did not see that
    outcome (stratified folds); None when a class has fewer than two outcomes."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    smaller = int(min(y.sum(), len(y) - y.sum()))
    if smaller < 2:
        return None
    folds = StratifiedKFold(n_splits=min(5, smaller), shuffle=True, random_state=seed)
    predicted = cross_val_predict(_pipeline(), x, y, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, predicted))


# A feature known for fewer than this share of the outcomes is left out of the model (it
# learns nothing from it and names it as no driver): a handful of values would be noise.
MIN_KNOWN_SHARE = 0.2


def train(rows: Sequence[FeatureRow], labels: Sequence[int], seed: int = 0) -> Trained:
    """Fit the model on every outcome; its AUC is measured on held-out folds. The result is
    plain numbers, stored as JSON."""
    x = np.array([row.vector() for row in rows], dtype=float)
    rare = (~np.isnan(x)).mean(axis=0) < MIN_KNOWN_SHARE
    x[:, rare] = np.nan
    y = np.array(labels, dtype=int)
    pipeline = _pipeline().fit(x, y)
    imputer, scaler, regression = (step for _, step in pipeline.steps)
    return Trained(
        parameters={
            "features": list(FEATURE_NAMES),
            "fill": [float(v) for v in imputer.statistics_],
            "mean": [float(v) for v in scaler.mean_],
            "scale": [float(v) for v in scaler.scale_],
            "coef": [float(v) for v in regression.coef_[0]],
            "intercept": float(regression.intercept_[0]),
        },
        auc=held_out_auc(x, y, seed),
    )


@dataclass(frozen=True)
class Driver:
    feature: str
    words: str  # as written when scored (kept for what reads the stored JSON elsewhere)
    push: float  # on the log-odds of churning: above 0 raises the risk
    value: float | None = None  # the feature's value, for words in the reader's language

    @property
    def text(self) -> str:
        """The driver in the reader's language."""
        if self.value is None:  # stored before values were kept (a missing one is no driver)
            return self.words
        return words_of(self.feature, self.value)

    @property
    def raises(self) -> bool:
        return self.push > 0


@dataclass(frozen=True)
class Scored:
    probability: float
    drivers: list[Driver]


def score(parameters: dict[str, Any], row: FeatureRow, top: int = 3) -> Scored:
    """The churn probability of one row under stored parameters, and the ``top`` features
    that push it most (either way). Plain arithmetic: no pickled model is ever loaded.

    A missing value is filled with the training mean, so it pushes nothing and is never named
    as a driver."""
    names = parameters["features"]
    values = np.array(row.vector(names))
    filled = np.where(np.isnan(values), np.array(parameters["fill"]), values)
    standard = (filled - np.array(parameters["mean"])) / np.array(parameters["scale"])
    pushes = np.array(parameters["coef"]) * standard
    logit = float(parameters["intercept"] + pushes.sum())
    order = sorted(range(len(names)), key=lambda i: -abs(float(pushes[i])))
    drivers = [
        Driver(names[i], row.words(names[i]), round(float(pushes[i]), 3), row.values.get(names[i]))
        for i in order[:top]
        if abs(float(pushes[i])) >= MIN_PUSH
    ]
    return Scored(1 / (1 + math.exp(-logit)), drivers)


def band(probability: float) -> str:
    if probability >= HIGH_FROM:
        return "high"
    if probability >= MEDIUM_FROM:
        return "medium"
    return "low"


BAND_LABELS = {
    "high": gettext_lazy("High risk"),
    "medium": gettext_lazy("Medium risk"),
    "low": gettext_lazy("Low risk"),
}
# The health band whose colours each band borrows.
BADGES = {"high": "critical", "medium": "at_risk", "low": "healthy"}


# What the pages read -----------------------------------------------------------------------------


def accounts_to_forecast(today: date) -> QuerySet[Account]:
    """Accounts with a contract running today: each has a renewal ahead."""
    running = Contract.objects.filter(starts_on__lte=today, ends_on__gt=today)
    return (
        Account.objects.exclude(stage=Stage.CHURNED)
        .filter(pk__in=running.values("account_id"))
        .order_by("pk")
    )


def next_renewal(account: Account, today: date) -> date | None:
    if account.renewal_date and account.renewal_date >= today:
        return account.renewal_date
    ends = Contract.objects.filter(account=account, starts_on__lte=today, ends_on__gt=today)
    return ends.aggregate(last=Max("ends_on"))["last"]


def current_model() -> ForecastModel | None:
    return ForecastModel.objects.order_by("-trained_at", "-pk").first()


def trained() -> bool:
    """Whether a model is trained (the forecasts the pages show are its)."""
    return ForecastModel.objects.exists()


@dataclass(frozen=True)
class History:
    """How much renewal history there is, against what training needs."""

    outcomes: int
    lost: int
    needed: int

    @property
    def enough(self) -> bool:
        return self.outcomes >= self.needed and 2 <= self.lost <= self.outcomes - 2


def history(today: date | None = None) -> History:
    outcomes = renewal_outcomes(today)
    return History(len(outcomes), sum(o.lost for o in outcomes), min_outcomes())


def band_of(forecast: ChurnForecast) -> str:
    return band(forecast.probability)


def account_forecast(account: Account) -> ChurnForecast | None:
    """The account's forecast under the newest model, with that model."""
    return ChurnForecast.objects.filter(account=account).select_related("model").first()


def ranked_forecasts(accounts: QuerySet[Account]) -> QuerySet[ChurnForecast]:
    """Forecasts of the given accounts, the likeliest to churn first (the console's list)."""
    return (
        ChurnForecast.objects.filter(account__in=accounts)
        .select_related("account", "account__owner")
        .order_by("-probability", "account__name", "pk")
    )


@dataclass(frozen=True)
class Shown:
    """A forecast as the pages show it."""

    forecast: ChurnForecast
    band: str
    band_label: str
    percent: int
    drivers: list[Driver]

    @property
    def account(self) -> Account:
        return self.forecast.account

    @property
    def badge(self) -> str:
        """The health band whose colours the band borrows."""
        return BADGES[self.band]


def shown(forecasts: Iterable[ChurnForecast]) -> list[Shown]:
    result = []
    for forecast in forecasts:
        key = band(forecast.probability)
        result.append(
            Shown(
                forecast=forecast,
                band=key,
                band_label=str(BAND_LABELS[key]),
                percent=round(forecast.probability * 100),
                drivers=[Driver(**d) for d in forecast.drivers],
            )
        )
    return result
