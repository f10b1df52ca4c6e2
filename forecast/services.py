"""Every write of the churn forecast: training the model and scoring the accounts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.activity import record
from accounts.models import User

from . import figures
from .models import ChurnForecast, ForecastModel


@transaction.atomic
def retrain(*, acting_user: User | None = None, today: date | None = None) -> ForecastModel | None:
    """Train the model on every renewal outcome so far and score every account with a renewal
    ahead; None (and nothing written) while there is too little history. Safe to run twice: a
    second run trains an equal model and replaces each account's forecast."""
    today = today or timezone.localdate()
    outcomes = figures.renewal_outcomes(today)
    history = figures.History(len(outcomes), sum(o.lost for o in outcomes), figures.min_outcomes())
    if not history.enough:
        return None
    rows, labels = figures.training_rows(outcomes)
    trained = figures.train(rows, labels)
    model = ForecastModel.objects.create(
        trained_at=timezone.now(),
        outcomes=history.outcomes,
        lost=history.lost,
        auc=trained.auc,
        parameters=trained.parameters,
    )
    score_accounts(model, today)
    record(
        gettext_noop("trained the churn forecast"),
        actor=acting_user,
        target=model,
        after={"outcomes": model.outcomes, "lost": model.lost},
        internal=True,
    )
    return model


def score_accounts(model: ForecastModel, today: date) -> int:
    """Each account with a renewal ahead gets its forecast under ``model``; accounts without
    one lose theirs."""
    accounts = list(figures.accounts_to_forecast(today))
    rows = figures.feature_rows((account, today) for account in accounts)
    forecasts = []
    for account, row in zip(accounts, rows, strict=True):
        scored = figures.score(model.parameters, row)
        forecasts.append(
            ChurnForecast(
                account=account,
                model=model,
                probability=scored.probability,
                drivers=[asdict(d) for d in scored.drivers],
                as_of=today,
                renews_on=figures.next_renewal(account, today),
            )
        )
    ChurnForecast.objects.exclude(account__in=accounts).delete()
    ChurnForecast.objects.bulk_create(
        forecasts,
        update_conflicts=True,
        unique_fields=["account"],
        update_fields=["model", "probability", "drivers", "as_of", "renews_on"],
    )
    # Older models no longer score anyone: keep the last few for their training dates.
    keep = ForecastModel.objects.order_by("-trained_at", "-pk").values_list("pk", flat=True)[:10]
    ForecastModel.objects.exclude(pk__in=list(keep)).delete()
    return len(forecasts)
