"""Background work for the churn forecast: the nightly training."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import services


# Run by beat after the nightly health scores. Safe to run twice: a second run trains the same
# model on the same outcomes and replaces each account's forecast.
@shared_task(
    name="forecast.retrain",
    bind=True,
    acks_late=True,
    max_retries=3,
    soft_time_limit=1800,
    time_limit=1900,
)
def retrain(self: Any) -> int | None:
    model = services.retrain()
    return None if model is None else model.pk
