"""The portal where people already work: the hub embedded in the vendor's product, outbound
webhooks, chat notifications and calendar feeds.

Other apps never import this one: it listens to :data:`playbooks.events.events_recorded` (every
event the portal records, after commit) and reads the features through their figures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from playbooks.models import Event, EventKind

# ---------------------------------------------------------------------------------------------
# The embedded hub: the vendor's product frames the portal with a signed token.
# ---------------------------------------------------------------------------------------------


def _fernet_for(key: str) -> Fernet:
    digest = hashlib.sha256(f"integrations.embed-secret:{key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _fernet() -> MultiFernet:
    """Encrypts the embed secrets at rest under a key derived from ``SECRET_KEY`` (the
    fallbacks still decrypt, so rotating ``SECRET_KEY`` the documented way keeps embedding up)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(key) for key in keys])


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str | None:
    """The secret, or None if it cannot be read (none stored, or ``SECRET_KEY`` changed)."""
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


class EmbedSettings(models.Model):
    """How the vendor's product may frame the hub: one row (pk 1).

    The server needs the secret itself to check an HS256 signature, so it is kept encrypted,
    and shown to the CS admin once, when made. A rotated-out secret stays valid until
    ``previous_valid_until``, so the vendor's backend can switch without downtime.
    """

    SINGLETON_PK: ClassVar[int] = 1

    secret_sealed = models.TextField(blank=True)
    secret_hint = models.CharField(
        max_length=12, blank=True, help_text=_("The secret's first few characters.")
    )
    secret_created_at = models.DateTimeField(null=True, blank=True)
    previous_secret_sealed = models.TextField(blank=True)
    previous_secret_hint = models.CharField(max_length=12, blank=True)
    previous_valid_until = models.DateTimeField(null=True, blank=True)
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Origins (scheme://host[:port]) that may frame the hub."),
    )
    trust_role_claim = models.BooleanField(
        default=False,
        help_text=_(
            "On a person's first visit, give them the role the token names (champion, "
            "executive or member). Off: everyone new joins as a member."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("embed settings")
        verbose_name_plural = _("embed settings")

    def __str__(self) -> str:
        return "Embed settings"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("the embedded hub"))

    @classmethod
    def load(cls) -> EmbedSettings:
        found = cls.objects.filter(pk=cls.SINGLETON_PK).first()
        return found if found is not None else cls(pk=cls.SINGLETON_PK)

    @staticmethod
    def new_secret() -> str:
        return f"emb_{secrets.token_urlsafe(40)}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_sealed)

    @property
    def is_ready(self) -> bool:
        return self.has_secret and bool(self.allowed_origins)

    def previous_is_valid(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return (
            bool(self.previous_secret_sealed)
            and self.previous_valid_until is not None
            and self.previous_valid_until > moment  # type: ignore[operator]
        )

    def verification_secrets(self) -> list[str]:
        """The secrets a token may be signed with now: the current, then the one rotated out
        while its grace period lasts."""
        found = [unseal(self.secret_sealed)]
        if self.previous_is_valid():
            found.append(unseal(self.previous_secret_sealed))
        return [s for s in found if s]

    @staticmethod
    def grace() -> timedelta:
        return timedelta(hours=settings.EMBED_SECRET_GRACE_HOURS)


class EmbedAccountId(models.Model):
    """The vendor product's own id for an account, so its backend can name the account in a
    token without knowing the portal's slug."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="embed_id")
    external_id = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account__name"]

    def __str__(self) -> str:
        return f"{self.external_id} → {self.account}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("product id “%(id)s”"), id=self.external_id)


class UsedEmbedToken(models.Model):
    """A token's ``jti`` once it has been used: a token opens one session, once. Kept until the
    token would have expired anyway, then pruned."""

    jti = models.CharField(max_length=200, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-used_at"]

    def __str__(self) -> str:
        return self.jti


# Chat notifications --------------------------------------------------------------------------


class ChatKind(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class ChatTopic(models.TextChoices):
    """What a channel can be told of; each is one or more event kinds (:data:`TOPIC_KINDS`)."""

    DETRACTORS = "detractors", _("Detractors (NPS 0–6)")
    OVERDUE_TASKS = "overdue_tasks", _("Overdue customer onboarding tasks")
    HEALTH_DROPS = "health_drops", _("Health drops (a fall, or a worse band)")
    REVIEW_ASKED = "review_asked", _("A customer asks for a business review")
    COMMENTS = "comments", _("A customer's new comment")


TOPIC_KINDS: dict[str, tuple[str, ...]] = {
    ChatTopic.DETRACTORS: (EventKind.NPS_DETRACTOR,),
    ChatTopic.OVERDUE_TASKS: (EventKind.ONBOARDING_TASK_OVERDUE,),
    ChatTopic.HEALTH_DROPS: (EventKind.HEALTH_DROPPED, EventKind.HEALTH_BAND_CHANGED),
    ChatTopic.REVIEW_ASKED: (EventKind.REVIEW_ASKED,),
    ChatTopic.COMMENTS: (EventKind.COMMENT_ADDED,),
}
KIND_TOPIC: dict[str, str] = {kind: topic for topic, kinds in TOPIC_KINDS.items() for kind in kinds}


class ChatStatus(models.TextChoices):
    NONE = "", _("Nothing sent yet")
    OK = "ok", _("Delivered")
    FAILED = "failed", _("Failed")


class ChatChannel(models.Model):
    """A Slack or Teams channel, by its incoming-webhook URL, told of some kinds of event on
    the accounts of one CSM (``owner``) or of a CS team (``team``: every CSM with that team)."""

    kind = models.CharField(max_length=8, choices=ChatKind.choices, default=ChatKind.SLACK)
    name = models.CharField(
        max_length=80, help_text=_("How you know it, e.g. #cs-alerts. Shown on this page only.")
    )
    webhook_url = models.CharField(
        "incoming-webhook URL",
        max_length=600,
        help_text=_("A secret: anyone holding it can post to the channel."),
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
        max_length=8, choices=ChatStatus.choices, blank=True, default=ChatStatus.NONE
    )
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)  # in English
    # The error as a stored text (portal.i18n.StoredText.as_json), read in each reader's
    # language (last_error_text); empty for an answer's status and body, or from before.
    last_error_words = models.JSONField(null=True, blank=True)

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
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_choice, stored_text

        return stored_text(
            gettext_noop("the %(kind)s channel %(name)s"),
            kind=stored_choice(self, "kind"),
            name=self.name,
        )

    @property
    def last_error_text(self) -> str:
        """The last message's error, in the active language."""
        return worded(self.last_error_words, self.last_error)

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
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (channel turned off)")

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
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("their calendar feed"))

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


def worded(words: Any, english: str) -> str:
    """A stored text (``StoredText.as_json``) in the active language; ``english`` (the text as
    stored beside it) for a row from before stored texts, or one that cannot be read."""
    if words:
        from portal.i18n import StoredText

        try:
            return StoredText.from_json(words).translated()
        except (ValueError, TypeError, KeyError, AttributeError):
            pass
    return english


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


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
    disabled_reason = models.CharField(max_length=300, blank=True)  # in English (the API's)
    # The reason as a stored text (portal.i18n.StoredText.as_json), read in each reader's
    # language (disabled_reason_text); empty for an endpoint turned off before.
    disabled_reason_words = models.JSONField(null=True, blank=True)
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

    @property
    def disabled_reason_text(self) -> str:
        """Why it was turned off, in the active language."""
        return worded(self.disabled_reason_words, self.disabled_reason)

    def failed_for_a_day(self, now: datetime) -> bool:
        return self.failing_since is not None and now - self.failing_since >= DISABLE_AFTER


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


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
    payload = models.TextField(help_text=_("The JSON body, exactly as signed and sent."))
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Attempts since it was queued or resent: which wait of RETRY_SCHEDULE comes next.
    round_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)  # in English (the API's)
    # The error as a stored text, read in each reader's language (last_error_text).
    last_error_words = models.JSONField(null=True, blank=True)
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

    @property
    def last_error_text(self) -> str:
        """The last attempt's error, in the active language."""
        return worded(self.last_error_words, self.last_error)


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back, and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_rows"
    )
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)  # in English (the API's)
    # The error as a stored text, read in each reader's language (error_text).
    error_words = models.JSONField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_body = models.CharField(max_length=1024, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def error_text(self) -> str:
        """The attempt's error, in the active language."""
        return worded(self.error_words, self.error)
