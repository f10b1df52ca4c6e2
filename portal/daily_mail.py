"""At most one e-mail of a kind per person and day (the onboarding reminders, the task digest),
sent at 07:00 in each person's own time zone.

Beat runs the daily e-mails every hour; each run sends to the people whose clock shows the
07:00 hour (:func:`people_due`), for their own local date. Each person's day is claimed (a row
unique per person and day) before their e-mail is sent and released if sending fails, so a
second run, or two workers at once, never send anyone two, and a retry sends just the ones
that failed.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Subquery

from .i18n import zone_named

log = logging.getLogger(__name__)

Item = TypeVar("Item")


class NotAllSent(Exception):
    """Some e-mails failed; their days were released, so a retry sends just those."""

    what = "e-mail(s)"

    def __init__(self, sent: int, failed: list[int]) -> None:
        super().__init__(f"{len(failed)} {self.what} not sent, {sent} sent")
        self.sent = sent
        self.failed = failed


# The hour of the day, in each person's zone, the daily e-mails go out.
DAILY_MAIL_HOUR = 7


def people_due(now: datetime, hour: int = DAILY_MAIL_HOUR) -> dict[date, set[int]]:
    """The active people whose clock shows ``hour`` at ``now``, by their local date (a date
    line can put two dates in the same hour). Each person's zone as portal.i18n settles it:
    their own, their first account's, the site's. One query."""
    from accounts.models import Membership, User

    first_account_zone = (
        Membership.objects.filter(user=OuterRef("pk")).order_by("pk").values("account__time_zone")
    )
    people = User.objects.filter(is_active=True).values_list(
        "pk", "time_zone", "vendor_role", Subquery(first_account_zone[:1])
    )
    site = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local_by_zone: dict[str, datetime] = {}
    due: dict[date, set[int]] = {}
    for pk, own, vendor_role, account_zone in people:
        name = own or ("" if vendor_role else account_zone or "")
        local = local_by_zone.get(name)
        if local is None:
            local = local_by_zone[name] = now.astimezone(zone_named(name) or site)
        if local.hour == hour:
            due.setdefault(local.date(), set()).add(pk)
    return due


def send_due_now(now: datetime, send: Callable[..., int]) -> int:
    """Hourly: ``send(day, people=...)`` for each local date that has people at their 07:00
    hour; how many went out. A retry of the run (same ``now``) reaches the same people."""
    return sum(send(day, people=people) for day, people in sorted(people_due(now).items()))


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
    people: Collection[int] | None = None,
) -> int:
    """Send each person's item (keyed by user id) once for ``day``; returns how many went
    out. ``record`` gives what the claim row keeps beside the person and the day; ``people``,
    when given, limits it to them (those whose ``day`` starts now: :func:`send_due_now`).
    Raises ``not_all_sent`` after trying everyone if some failed."""
    already = set(log_model._default_manager.filter(day=day).values_list("user_id", flat=True))
    sent, failed = 0, []
    for user_id, item in items.items():
        if user_id in already or (people is not None and user_id not in people):
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


def run_daily_task(
    task: Any,
    send: Callable[..., int],
    *,
    today: str | None,
    at: str | None,
    retry_on: tuple[type[BaseException], ...],
) -> int:
    """The body of an hourly daily-e-mail task (bound Celery task ``task``).

    ``today`` (an ISO date: a catch-up run, tests) sends that day's e-mails to everyone, as
    before per-person zones; otherwise the people at their 07:00 hour at ``at`` (an ISO
    datetime, the first try's, kept by every retry so it reaches the same people) or now.
    ``retry_on`` (the e-mails that failed, a time limit) retries with backoff."""
    from django.utils import timezone

    now = datetime.fromisoformat(at) if at else timezone.now()
    try:
        if today:
            return send(date.fromisoformat(today))
        return send_due_now(now, send)
    except retry_on as exc:
        kwargs = {"today": today} if today else {"at": now.isoformat()}
        raise task.retry(
            exc=exc, countdown=min(1800, 60 * 2**task.request.retries), kwargs=kwargs
        ) from exc
