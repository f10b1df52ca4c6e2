"""Outbound webhooks: endpoints a CS admin manages, and the deliveries of the portal's events
to them, signed as the Standard Webhooks specification says.

How an event travels, never in the request that raised it:

1. :data:`playbooks.events.events_recorded` (after the commit of the job that recorded the
   events) -> :func:`queue_deliveries`: one query finds the active endpoints, one insert makes
   a :class:`~integrations.models.WebhookDelivery` per endpoint and subscribed event (unique
   per endpoint and event, so an event announced twice is delivered once), and a delivery job
   per endpoint is queued unless one is already waiting.
2. The job (:func:`deliver_batch`) claims up to :data:`BATCH` due deliveries of its endpoint
   (``SELECT ... FOR UPDATE SKIP LOCKED``, then leased by moving their next attempt), queues a
   sibling when more are due (so a second worker helps), and POSTs them one after the other
   over one kept-alive connection (:func:`integrations.outbound.post`). Results are written in
   three queries per batch.
3. A failed attempt is retried on :data:`~integrations.models.RETRY_SCHEDULE` (5 s ... 10 h,
   about 27 hours in all); beat's :func:`queue_due` hands due retries to their endpoint's job.
   A receiver that does not answer stops the batch (the rest wait for the same retry).
4. An endpoint whose deliveries have all failed for a day is disabled and its creator told.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from standardwebhooks import Webhook

from accounts.activity import record
from accounts.models import Account, User
from playbooks.models import Event
from portal.i18n import StoredText, stored_text
from portal.jobs import enqueue, enqueue_many
from portal.models import Job

from .. import outbound
from ..models import (
    RETRY_SCHEDULE,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    new_webhook_secret,
)
from ..webhook_events import (
    BY_KIND,
    TEST,
    TEST_TYPE,
    account_of,
    envelope,
    payload_for,
    scanned_kinds_for,
)

log = logging.getLogger(__name__)

DELIVER_TASK = "integrations.deliver_webhooks"
#: Deliveries one job sends, one after the other, over one connection.
BATCH = 100
#: A claimed delivery is due again after this if its job dies before writing the result.
LEASE = timedelta(minutes=5)
#: A batch stops taking new deliveries after this long (the job's time limit is 120 s).
BATCH_SECONDS = 60.0
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1


class WebhookRefused(Exception):
    """A change to an endpoint that cannot be made, with the field and a message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def new_msg_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


# Endpoints ------------------------------------------------------------------------------------


def _check(url: str, event_types: list[str]) -> None:
    from ..webhook_events import BY_NAME

    try:
        destination = outbound.check_url(url)
    except outbound.UnsafeURL as error:
        raise WebhookRefused("url", str(error)) from error
    if not outbound.allow_private() and _private_literal(destination.host):
        raise WebhookRefused(
            "url",
            gettext(
                "The URL points at a private or reserved address: only public ones can receive "
                "events."
            ),
        )
    for index, name in enumerate(event_types):
        if name not in BY_NAME:
            raise WebhookRefused(
                f"event_types[{index}]",
                gettext("“%(name)s” is not an event type.") % {"name": name},
            )


def _private_literal(host: str) -> bool:
    """A host written as an address (no DNS look-up) that is not public. A host name is
    checked when each delivery resolves it (:func:`integrations.outbound.resolve`)."""
    try:
        return not outbound.is_public(host.strip("[]"))
    except ValueError:
        return False


def _fields(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "active": endpoint.active,
    }


def create_endpoint(
    *, url: str, event_types: list[str], active: bool, description: str = "", acting_user: User
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret; raises :class:`WebhookRefused`."""
    _check(url, event_types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=url.strip(),
            description=description,
            event_types=sorted(set(event_types)),
            active=active,
            created_by=acting_user,
        )
        record(
            gettext_noop("added a webhook endpoint"),
            actor=acting_user,
            target=endpoint,
            after=_fields(endpoint),
            internal=True,
        )
    return endpoint


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str,
    event_types: list[str],
    active: bool,
    description: str = "",
    acting_user: User,
) -> WebhookEndpoint:
    """Change an endpoint. Turned on again, its failure streak starts afresh and what waited
    for it is sent."""
    _check(url, event_types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = _fields(endpoint)
        reopened = active and not endpoint.active
        endpoint.url, endpoint.description = url.strip(), description
        endpoint.event_types, endpoint.active = sorted(set(event_types)), active
        if reopened:
            endpoint.failing_since, endpoint.disabled_at, endpoint.disabled_reason = None, None, ""
        endpoint.save()
        after = _fields(endpoint)
        record(
            gettext_noop("changed a webhook endpoint"),
            actor=acting_user,
            target=endpoint,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            internal=True,
        )
        if reopened:
            ensure_jobs([endpoint.pk])
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint, *, acting_user: User) -> None:
    with transaction.atomic():
        record(
            gettext_noop("removed a webhook endpoint"),
            actor=acting_user,
            target=endpoint,
            before=_fields(endpoint),
            internal=True,
        )
        endpoint.delete()


def rotate_secret(endpoint: WebhookEndpoint, *, acting_user: User) -> WebhookEndpoint:
    """A new signing secret from now on (messages already queued are signed with it too)."""
    with transaction.atomic():
        endpoint.secret = new_webhook_secret()
        endpoint.save(update_fields=["secret", "updated_at"])
        record(
            gettext_noop("rotated a webhook secret"),
            actor=acting_user,
            target=endpoint,
            internal=True,
        )
    return endpoint


def send_test_event(endpoint: WebhookEndpoint, *, acting_user: User) -> WebhookDelivery:
    """A ``webhook.test`` message to this endpoint only, sent at once by its job."""
    sample = Account.objects.order_by("name").only("pk", "slug", "name").first()
    account = (
        account_of(sample)
        if sample is not None
        else {"id": 0, "slug": "example", "name": "Example account"}
    )
    now = timezone.now()
    body = envelope(
        TEST_TYPE,
        now,
        {"account": account, "message": f"A test event from {acting_user.display_name}."},
    )
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type=TEST.name,
            msg_id=new_msg_id(),
            payload=body,
            next_attempt_at=now,
        )
        record(
            gettext_noop("sent a test webhook"), actor=acting_user, target=endpoint, internal=True
        )
        ensure_jobs([endpoint.pk])
    return delivery


def resend_delivery(delivery: WebhookDelivery, *, acting_user: User) -> WebhookDelivery:
    """Send a delivery again now, with its retries afresh; same ``webhook-id``, so a receiver
    that keeps ids knows it is the same message."""
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, round_attempts=0, next_attempt_at=timezone.now()
        )
        delivery.refresh_from_db()
        record(
            gettext_noop("resent a webhook delivery"),
            actor=acting_user,
            target=delivery,
            internal=True,
        )
        ensure_jobs([delivery.endpoint_id])
    return delivery


def subscribed_scanned_kinds() -> set[str]:
    """Event kinds the active endpoints subscribe to, for the daily scan to look for
    (:func:`playbooks.services.scan.also_scan_for`). One query."""
    names: set[str] = set()
    for types in WebhookEndpoint.objects.filter(active=True).values_list("event_types", flat=True):
        names.update(types or [])
    return scanned_kinds_for(sorted(names))


# From events to deliveries --------------------------------------------------------------------


def queue_deliveries(events: Iterable[Event]) -> int:
    """Deliveries for newly recorded events to the active endpoints subscribed to their types;
    returns how many were made. One query when no endpoint wants them."""
    events = [e for e in events if e.kind in BY_KIND]
    if not events:
        return 0
    endpoints = list(WebhookEndpoint.objects.filter(active=True).values_list("pk", "event_types"))
    wanted = [(pk, set(types or [])) for pk, types in endpoints]
    pairs = [
        (pk, event) for event in events for pk, types in wanted if BY_KIND[event.kind].name in types
    ]
    if not pairs:
        return 0
    account_ids = {event.account_id for _, event in pairs}
    accounts = Account.objects.only("pk", "slug", "name").in_bulk(account_ids)
    now = timezone.now()
    rows = []
    for endpoint_id, event in pairs:
        account = accounts.get(event.account_id)
        made = payload_for(event, account) if account is not None else None
        if made is None:
            continue
        type_name, body = made
        rows.append(
            WebhookDelivery(
                endpoint_id=endpoint_id,
                event=event,
                event_type=type_name,
                msg_id=new_msg_id(),
                payload=body,
                next_attempt_at=now,
                created_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    ensure_jobs(sorted({row.endpoint_id for row in rows}))
    return len(rows)


def ensure_jobs(endpoint_ids: list[int]) -> int:
    """Queue a delivery job for each endpoint that has none waiting (a waiting job claims its
    deliveries when it starts, so it takes these too). Returns how many were queued."""
    if not endpoint_ids:
        return 0
    waiting = set(
        Job.objects.filter(
            task=DELIVER_TASK,
            status__in=[Job.Status.UNSENT, Job.Status.QUEUED],
            kwargs__endpoint_id__in=endpoint_ids,
        ).values_list("kwargs__endpoint_id", flat=True)
    )
    missing = [pk for pk in endpoint_ids if pk not in waiting]
    if len(missing) == 1:
        enqueue(DELIVER_TASK, endpoint_id=missing[0])
    elif missing:
        enqueue_many(DELIVER_TASK, [{"endpoint_id": pk} for pk in missing])
    return len(missing)


def queue_due(now: datetime | None = None) -> int:
    """Beat: a job for each active endpoint with deliveries due (retries whose wait is over,
    leases of jobs that died). Returns how many jobs were queued."""
    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__active=True
        )
        .order_by()
        .values_list("endpoint_id", flat=True)
        .distinct()
    )
    return ensure_jobs(sorted(set(due)))


# Delivering -----------------------------------------------------------------------------------


def signed_headers(secret: str, msg_id: str, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    return {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }


def _claim(endpoint_id: int) -> tuple[WebhookEndpoint, list[WebhookDelivery]] | None:
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).first()
        if endpoint is None:
            return None
        now = timezone.now()
        deliveries = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(
                endpoint_id=endpoint_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
            )
            .order_by("next_attempt_at", "pk")
            .only("pk", "msg_id", "payload", "attempts", "round_attempts", "event_type")[:BATCH]
        )
        if deliveries:
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
                next_attempt_at=now + LEASE
            )
    return endpoint, deliveries


def deliver_batch(endpoint_id: int) -> int:
    """The delivery job: send up to :data:`BATCH` due deliveries of the endpoint; returns how
    many were delivered. Without a broker (jobs run in-process, the first look) it goes on
    batch after batch itself, as a sibling job would run inside this one."""
    from portal.celery import app

    in_process = bool(app.conf.task_always_eager)
    delivered = 0
    while True:
        claimed = _claim(endpoint_id)
        if claimed is None or not claimed[1]:
            return delivered
        endpoint, deliveries = claimed
        full = len(deliveries) == BATCH
        if full and not in_process:
            ensure_jobs([endpoint_id])  # more may be due: another worker takes the next batch
        results = _post_batch(endpoint, deliveries)
        delivered += _write_results(endpoint, deliveries, results)
        if not (in_process and full and len(results) == len(deliveries)):
            return delivered
        if results and results[-1][2].status is None:
            return delivered


def _post_batch(
    endpoint: WebhookEndpoint, deliveries: list[WebhookDelivery]
) -> list[tuple[WebhookDelivery, datetime, outbound.Outcome]]:
    """POST the deliveries one after the other; stops at the first that gets no answer."""
    started = time.monotonic()
    results: list[tuple[WebhookDelivery, datetime, outbound.Outcome]] = []
    for delivery in deliveries:
        if time.monotonic() - started > BATCH_SECONDS:
            break
        at = timezone.now()
        headers = signed_headers(endpoint.secret, delivery.msg_id, delivery.payload, at)
        outcome = outbound.post(endpoint.url, delivery.payload.encode(), headers)
        if outcome.status is None and outcome.could_not_connect:
            # A kept-alive connection the receiver had closed fails on reuse: once more on a
            # fresh one (the same webhook-id, so a receiver that got it after all can tell).
            outcome = outbound.post(endpoint.url, delivery.payload.encode(), headers)
        results.append((delivery, at, outcome))
        if outcome.status is None:
            break  # no answer, or refused: the others would fare the same; they wait too
    return results


def _write_results(
    endpoint: WebhookEndpoint,
    deliveries: list[WebhookDelivery],
    results: list[tuple[WebhookDelivery, datetime, outbound.Outcome]],
) -> int:
    now = timezone.now()
    attempted = {delivery.pk for delivery, _, _ in results}
    next_try: datetime | None = None
    delivered = 0
    for delivery, at, outcome in results:
        delivery.attempts += 1
        delivery.round_attempts += 1
        delivery.last_attempt_at = at
        delivery.last_status_code = outcome.status
        error = _error_text(outcome)
        delivery.last_error = error[:300]
        delivery.last_error_words = _error_words(outcome)
        delivery.last_duration_ms = outcome.elapsed_ms
        if outcome.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                at,
                None,
            )
            delivered += 1
        elif delivery.round_attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + RETRY_SCHEDULE[delivery.round_attempts - 1]
            next_try = delivery.next_attempt_at
    # Not tried (the receiver stopped answering, or the batch ran out of time): at the same
    # time as the last one that failed, or now.
    untried = [d for d in deliveries if d.pk not in attempted]
    with transaction.atomic():
        if results:
            _save_outcomes([d for d, _, _ in results])
            WebhookAttempt.objects.bulk_create(
                [
                    WebhookAttempt(
                        delivery_id=d.pk,
                        at=at,
                        status_code=o.status,
                        error=_error_text(o)[:300],
                        error_words=_error_words(o),
                        duration_ms=o.elapsed_ms,
                        response_body=o.body[:1024],
                    )
                    for d, at, o in results
                ]
            )
        if untried:
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in untried]).update(
                next_attempt_at=next_try or now
            )
        if results:
            _note_health(endpoint, results, now)
    return delivered


OUTCOME_FIELDS = [
    ("status", "varchar"),
    ("attempts", "integer"),
    ("round_attempts", "integer"),
    ("next_attempt_at", "timestamptz"),
    ("last_attempt_at", "timestamptz"),
    ("last_status_code", "integer"),
    ("last_error", "varchar"),
    ("last_error_words", "jsonb"),
    ("last_duration_ms", "integer"),
    ("delivered_at", "timestamptz"),
]


def _save_outcomes(deliveries: list[WebhookDelivery]) -> None:
    """Each delivery's own outcome in one statement. On PostgreSQL an ``UPDATE ... FROM
    (VALUES ...)``: Django's ``bulk_update`` builds a CASE per field and row, which costs more
    CPU than the batch's hundred requests."""
    if connection.vendor != "postgresql":
        WebhookDelivery.objects.bulk_update(deliveries, [name for name, _ in OUTCOME_FIELDS])
        return
    row = "(%s::bigint, " + ", ".join(f"%s::{kind}" for _, kind in OUTCOME_FIELDS) + ")"
    names = [name for name, _ in OUTCOME_FIELDS]
    params: list[Any] = []
    for delivery in deliveries:
        params.append(delivery.pk)
        params.extend(_sql_value(getattr(delivery, name), kind) for name, kind in OUTCOME_FIELDS)
    table = WebhookDelivery._meta.db_table
    sql = (
        f"UPDATE {table} AS d SET "  # noqa: S608 - names from this module, values as params
        + ", ".join(f"{name} = v.{name}" for name in names)
        + f" FROM (VALUES {', '.join([row] * len(deliveries))}) AS v(id, {', '.join(names)})"
        + " WHERE d.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _error_words(outcome: outbound.Outcome) -> dict[str, Any] | None:
    error = _error_text(outcome)
    return error.as_json() if error else None


def _sql_value(value: Any, kind: str) -> Any:
    if kind == "jsonb":
        return None if value is None else json.dumps(value)
    return value


def _error_text(outcome: outbound.Outcome) -> StoredText:
    """The outcome's error as stored: English as a string, its message and values for each
    reader (empty for an answer in 2xx)."""
    if outcome.error_text is not None:
        return outcome.error_text
    if outcome.ok:
        return StoredText("")
    return stored_text(gettext_noop("The receiver answered %(status)s."), status=outcome.status)


def _note_health(
    endpoint: WebhookEndpoint,
    results: list[tuple[WebhookDelivery, datetime, outbound.Outcome]],
    now: datetime,
) -> None:
    """The endpoint's last status, and its failure streak: a day of nothing but failures
    disables it and tells its creator (once: the update only changes an active endpoint)."""
    last_at, last = results[-1][1], results[-1][2]
    any_ok = any(o.ok for _, _, o in results)
    changes: dict[str, Any] = {
        "last_attempt_at": last_at,
        "last_status_code": last.status,
        "last_ok": last.ok,
    }
    if any_ok:
        changes["failing_since"] = None
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**changes)
        return
    first_failure = endpoint.failing_since or results[0][1]
    changes["failing_since"] = first_failure
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**changes)
    endpoint.failing_since = first_failure
    if endpoint.failed_for_a_day(now):
        disable_failing(endpoint, now, reason=_error_text(last))


def disable_failing(endpoint: WebhookEndpoint, now: datetime, *, reason: str) -> bool:
    """Turn off an endpoint that failed for a day and queue the e-mail to its creator. The
    reason is kept in English and as a stored text (``reason`` may be one: the last error's
    message and values), so that each reader reads it in their language."""
    said = stored_text(
        gettext_noop("Every delivery failed for 24 hours; the last: %(reason)s"), reason=reason
    )
    text = str(said)[:300]
    disabled = WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False,
        disabled_at=now,
        disabled_reason=text,
        disabled_reason_words=said.as_json(),
        updated_at=now,
    )
    if disabled:
        record(
            gettext_noop("disabled a failing webhook endpoint"),
            actor=None,
            target=endpoint,
            after={"active": False, "reason": said.as_json()},  # worded when read
            internal=True,
        )
        enqueue("integrations.tell_webhook_disabled", endpoint_id=endpoint.pk)
    return bool(disabled)


def tell_disabled(endpoint_id: int) -> bool:
    """Tell the endpoint's creator that it was turned off (the job, once): an item in their
    inbox, and an e-mail unless they chose "in the portal only" for account news. The e-mail
    goes at once even for "daily digest": a broken integration should not wait a day."""
    endpoint = WebhookEndpoint.objects.select_related("created_by").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.active or not endpoint.created_by.is_active:
        return False
    from django.urls import reverse

    from accounts.models import Delivery, NotificationKind
    from accounts.services import Mail, delivery_for, tell

    owner = endpoint.created_by
    path = reverse("webhook_detail", args=[endpoint.pk])
    chosen = delivery_for(owner, NotificationKind.ACCOUNT)
    tell(
        owner,
        kind=NotificationKind.ACCOUNT,
        title=format_lazy(
            gettext_lazy("Webhook endpoint turned off after a day of failures: {url}"),
            url=endpoint.url,
        ),
        url=path,
        mail=Mail("webhook_disabled", {"endpoint": endpoint, "user": owner, "path": path}),
        delivery=Delivery.IMMEDIATELY if chosen == Delivery.DIGEST else chosen,
    )
    return True
