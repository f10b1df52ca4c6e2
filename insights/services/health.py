"""Writes about health: the stored daily scores, the CSM's pulse and facts, the settings.

The score itself is computed by :mod:`insights.figures.health`; these functions store it, and
store what changes it (the pulse, licensed seats, the weights), each with its activity record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.activity import record, snapshot
from accounts.models import Account, User
from portal.figure_cache import changes_batched
from portal.jobs import enqueue

from ..figures.health import combine, parts_of
from ..models import AccountFacts, HealthConfig, HealthScore

FACT_FIELDS = ["pulse", "pulse_note", "licensed_seats", "customers_see_health"]
CONFIG_FIELDS = [
    "usage_weight",
    "sentiment_weight",
    "onboarding_weight",
    "plan_weight",
    "renewal_weight",
    "pulse_weight",
    "comments_weight",
    "healthy_from",
    "at_risk_from",
]


def compute_health(
    account: Account, day: date | None = None, config: HealthConfig | None = None
) -> HealthScore | None:
    """Compute and store (upsert) the account's score for ``day`` (today by default). None,
    and nothing stored, when no part has data. Each part's "why" is stored as a stored text
    (an English message id and its values, numbers as numbers), worded when read in each
    reader's language, whoever or whatever scored it."""
    day = day or timezone.localdate()
    parts = parts_of(account, day)
    health = combine(parts, config or HealthConfig.current())
    if health is None:
        HealthScore.objects.filter(account=account, day=day).delete()
        return None
    score, _ = HealthScore.objects.update_or_create(
        account=account,
        day=day,
        defaults={"score": health.score, "band": health.band, "parts": health.parts},
    )
    return score


def compute_health_scores(account_ids: Iterable[int] | None = None, day: date | None = None) -> int:
    """Score every account (or those given) for ``day``; returns how many were scored.
    A fixed number of queries per account, and one bump of the cached figures in all."""
    config = HealthConfig.current()
    accounts = Account.objects.order_by("pk")
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    scored = 0
    with changes_batched():
        for account in accounts.iterator(chunk_size=500):
            scored += compute_health(account, day, config) is not None
    return scored


def set_pulse(account: Account, changes: dict[str, Any], *, acting_user: User) -> AccountFacts:
    """Store the CSM's pulse and what they know of the account (``FACT_FIELDS``), log it, and
    score the account again at once so that the 360° page shows the new score."""
    with transaction.atomic():
        facts, created = AccountFacts.objects.select_for_update().get_or_create(account=account)
        before = None if created else snapshot(facts, FACT_FIELDS)
        for name in FACT_FIELDS:
            if name in changes:
                setattr(facts, name, changes[name])
        facts.pulse_by, facts.pulse_at = acting_user, timezone.now()
        facts.save()
        record(
            gettext_noop("updated the pulse"),
            actor=acting_user,
            account=account,
            target=account,
            before=before,
            after=snapshot(facts, FACT_FIELDS),
            internal=True,
        )
        compute_health(account)
    return facts


def change_health_settings(changes: dict[str, Any], *, acting_user: User) -> HealthConfig:
    """Store new weights and bands (``CONFIG_FIELDS``) and rescore every account in a job."""
    with transaction.atomic():
        config = HealthConfig.current()
        for name in CONFIG_FIELDS:
            if name in changes:
                setattr(config, name, changes[name])
        if "extra_weights" in changes:
            config.extra_weights = {**config.extra_weights, **changes["extra_weights"]}
        config.updated_by = acting_user
        config.save()
        record(
            gettext_noop("changed the health score settings"),
            actor=acting_user,
            target=config,
            after={
                **{name: getattr(config, name) for name in CONFIG_FIELDS},
                "extra_weights": config.extra_weights,
            },
            internal=True,
        )
        enqueue("insights.compute_health_scores")
    return config
