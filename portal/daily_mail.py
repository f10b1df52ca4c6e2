"""At most one e-mail of a kind per person and day (the onboarding reminders, the task digest).

Each person's day is claimed (a row unique per person and day) before their e-mail is sent and
released if sending fails, so a second run, or two workers at once, never send anyone two,
and a retry sends just the ones that failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, models, transaction

log = logging.getLogger(__name__)

Item = TypeVar("Item")


class NotAllSent(Exception):
    """Some e-mails failed; their days were released, so a retry sends just those."""

    what = "e-mail(s)"

    def __init__(self, sent: int, failed: list[int]) -> None:
        super().__init__(f"{len(failed)} {self.what} not sent, {sent} sent")
        self.sent = sent
        self.failed = failed


def _claim(log_model: type[models.Model], user_id: int, day: date, data: dict[str, Any]) -> Any:
    """Take the person's day, or None when another run already took it."""
    try:
        with transaction.atomic():
            claim, created = log_model._default_manager.get_or_create(
                user_id=user_id, day=day, defaults=data
            )
    except IntegrityError:  # another worker claimed it between our read and our write
        return None
    return claim if created else None


def send_daily(
    items: Mapping[int, Item],
    *,
    day: date,
    log_model: type[models.Model],
    record: Callable[[Item], dict[str, Any]],
    send: Callable[[Item], None],
    not_all_sent: type[NotAllSent] = NotAllSent,
) -> int:
    """Send each person's item (keyed by user id) once for ``day``; returns how many went
    out. ``record`` gives what the claim row keeps beside the person and the day. Raises
    ``not_all_sent`` after trying everyone if some failed."""
    already = set(log_model._default_manager.filter(day=day).values_list("user_id", flat=True))
    sent, failed = 0, []
    for user_id, item in items.items():
        if user_id in already:
            continue
        claim = _claim(log_model, user_id, day, record(item))
        if claim is None:
            continue
        try:
            send(item)
        except SoftTimeLimitExceeded:
            log_model._default_manager.filter(pk=claim.pk).delete()
            raise
        except Exception:
            log.exception("%s to user %s not sent", not_all_sent.what, user_id)
            log_model._default_manager.filter(pk=claim.pk).delete()
            failed.append(user_id)
        else:
            sent += 1
    if failed:
        raise not_all_sent(sent, failed)
    return sent
