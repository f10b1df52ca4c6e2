"""The portal where people already work: the hub embedded in the vendor's product, outbound
webhooks, chat notifications and calendar feeds.

Other apps never import this one: it listens to :data:`playbooks.events.events_recorded` (every
event the portal records, after commit) and reads the features through their figures.
"""

from __future__ import annotations

import base64
import secrets as _secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Outbound webhooks -----------------------------------------------------------------------------

#: After a failed attempt, the wait before the next one (Standard Webhooks' suggestion): the
#: last of eight attempts comes about 27 hours after the first, then the delivery has failed.
RETRY_SCHEDULE = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
#: An endpoint whose deliveries have all failed for this long is disabled and its owner told.
DISABLE_AFTER = timedelta(hours=24)


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(_secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    """A URL that receives the portal's events, signed with its own secret."""

    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # Dotted event types (integrations.webhook_events.EVENT_TYPES), e.g. ["task.completed"].
    event_types = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, default=new_webhook_secret)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The first failure since the last success: a streak a day long disables the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # The newest attempt, for the list's health column without reading the deliveries.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_ok = models.BooleanField(null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def activity_label(self) -> str:
        return self.url

    def failed_for_a_day(self, now: datetime) -> bool:
        return self.failing_since is not None and now - self.failing_since >= DISABLE_AFTER


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One message to one endpoint: an event (or a test), signed and sent until it is
    delivered or its retries run out. ``msg_id`` is the ``webhook-id`` of every attempt, so a
    receiver that saw it already can tell a retry from a new message."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "playbooks.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event_type = models.CharField(max_length=60)
    msg_id = models.CharField(max_length=40, unique=True)
    payload = models.TextField(help_text="The JSON body, exactly as signed and sent.")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Attempts since it was queued or resent: which wait of RETRY_SCHEDULE comes next.
    round_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                condition=Q(event__isnull=False),
                name="one_delivery_per_endpoint_and_event",
            )
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint_id}"

    @property
    def activity_label(self) -> str:
        return f"{self.event_type} ({self.msg_id})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back, and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_rows"
    )
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_body = models.CharField(max_length=1024, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
