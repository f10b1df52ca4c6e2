"""The portal where people already work: the hub embedded in the vendor's product, outbound
webhooks, chat notifications and calendar feeds.

Other apps never import this one: it listens to :data:`playbooks.events.events_recorded` (every
event the portal records, after commit) and reads the features through their figures.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from playbooks.models import Event, EventKind

# Chat notifications --------------------------------------------------------------------------


class ChatKind(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class ChatTopic(models.TextChoices):
    """What a channel can be told of; each is one or more event kinds (:data:`TOPIC_KINDS`)."""

    DETRACTORS = "detractors", "Detractors (NPS 0–6)"
    OVERDUE_TASKS = "overdue_tasks", "Overdue customer onboarding tasks"
    HEALTH_DROPS = "health_drops", "Health drops (a fall, or a worse band)"
    REVIEW_ASKED = "review_asked", "A customer asks for a business review"
    COMMENTS = "comments", "A customer's new comment"


TOPIC_KINDS: dict[str, tuple[str, ...]] = {
    ChatTopic.DETRACTORS: (EventKind.NPS_DETRACTOR,),
    ChatTopic.OVERDUE_TASKS: (EventKind.ONBOARDING_TASK_OVERDUE,),
    ChatTopic.HEALTH_DROPS: (EventKind.HEALTH_DROPPED, EventKind.HEALTH_BAND_CHANGED),
    ChatTopic.REVIEW_ASKED: (EventKind.REVIEW_ASKED,),
    ChatTopic.COMMENTS: (EventKind.COMMENT_ADDED,),
}
KIND_TOPIC: dict[str, str] = {kind: topic for topic, kinds in TOPIC_KINDS.items() for kind in kinds}


class DeliveryStatus(models.TextChoices):
    NONE = "", "Nothing sent yet"
    OK = "ok", "Delivered"
    FAILED = "failed", "Failed"


class ChatChannel(models.Model):
    """A Slack or Teams channel, by its incoming-webhook URL, told of some kinds of event on
    the accounts of one CSM (``owner``) or of a CS team (``team``: every CSM with that team)."""

    kind = models.CharField(max_length=8, choices=ChatKind.choices, default=ChatKind.SLACK)
    name = models.CharField(
        max_length=80, help_text="How you know it, e.g. #cs-alerts. Shown on this page only."
    )
    webhook_url = models.CharField(
        "incoming-webhook URL",
        max_length=600,
        help_text="A secret: anyone holding it can post to the channel.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_channels",
    )
    team = models.CharField(max_length=60, blank=True)
    on_detractors = models.BooleanField(ChatTopic.DETRACTORS.label, default=True)
    on_overdue_tasks = models.BooleanField(ChatTopic.OVERDUE_TASKS.label, default=True)
    on_health_drops = models.BooleanField(ChatTopic.HEALTH_DROPS.label, default=True)
    on_review_asked = models.BooleanField(ChatTopic.REVIEW_ASKED.label, default=True)
    on_comments = models.BooleanField(ChatTopic.COMMENTS.label, default=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, blank=True, default=DeliveryStatus.NONE
    )
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner__isnull=False) & Q(team=""))
                | (Q(owner__isnull=True) & ~Q(team="")),
                name="chat_channel_of_a_csm_or_a_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def activity_label(self) -> str:
        return f"the {self.get_kind_display()} channel {self.name}"

    @staticmethod
    def topic_field(topic: str) -> str:
        return f"on_{topic}"

    @property
    def topics(self) -> list[str]:
        return [t for t in ChatTopic.values if getattr(self, self.topic_field(t))]

    @property
    def topic_labels(self) -> list[str]:
        return [str(ChatTopic(t).label) for t in self.topics]

    @property
    def masked_url(self) -> str:
        """The URL with its secret part hidden, for the page."""
        url = self.webhook_url
        return url if len(url) <= 40 else f"{url[:32]}…{url[-4:]}"


class ChatMessage(models.Model):
    """One message to one channel: for one event (once per channel and event), or a test."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (channel turned off)"

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="messages")
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "event"], name="one_chat_message_per_channel_and_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} · {self.event_id or 'test'} · {self.status}"


# Calendar feeds ------------------------------------------------------------------------------

FEED_KEY_LENGTH = 12


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A person's private calendar address: ``/calendar/<key><secret>.ics``. The key finds
    the row, the secret is kept hashed and compared in constant time. Revoked (or replaced by
    a new address), the old one answers 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=FEED_KEY_LENGTH, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @property
    def activity_label(self) -> str:
        return "their calendar feed"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def new_token(self) -> str:
        """Give the feed a new address (the old one stops working); the token, shown once."""
        self.key = secrets.token_hex(FEED_KEY_LENGTH // 2)
        secret = secrets.token_urlsafe(24)
        self.secret_hash = _hash(secret)
        self.created_at = timezone.now()
        self.revoked_at = None
        return f"{self.key}{secret}"

    @classmethod
    def for_token(cls, token: str) -> CalendarFeed | None:
        """The live feed of an active person whose token this is, else None."""
        key, secret = token[:FEED_KEY_LENGTH], token[FEED_KEY_LENGTH:]
        feed = (
            cls.objects.filter(key=key, revoked_at__isnull=True, user__is_active=True)
            .select_related("user")
            .first()
        )
        # Compared even when no feed matched, so a miss and a wrong secret take as long.
        expected = feed.secret_hash if feed is not None else _hash("no feed")
        if not hmac.compare_digest(expected, _hash(secret)) or feed is None:
            return None
        return feed
