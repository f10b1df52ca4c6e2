"""Feature adoption: which features each account licenses, what the CS team recommends for a
feature an account does not use, and campaigns that nudge the people who have not used one.

Usage itself is insights' (raw events and the daily roll-ups); a feature here is named as usage
names it (``UsageEvent.feature``), so the two meet without a catalogue in between. The figures
are in :mod:`adoption.figures`, every write in :mod:`adoption.services`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from accounts.models import Account, Segment
from portal.choices import TextChoices, gettext_lazy
from portal.markdown import render_markdown

# A campaign's result: the share of its targets who used the feature within this many days of
# its launch. The in-portal card shows for as long.
RESULT_DAYS = 30


@lru_cache(maxsize=512)
def _markdown(text: str) -> SafeString:
    """A recommendation's or campaign's Markdown as HTML: rendered once per process and text
    (the same few texts are shown on every page view)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by render_markdown


class LicensedFeature(models.Model):
    """A feature the account's contract includes (set by the CS team)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="licensed_features")
    feature = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["account", "feature"]
        constraints = [
            models.UniqueConstraint(fields=["account", "feature"], name="one_licence_per_feature")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} licenses {self.feature}"


class RecommendationKind(TextChoices):
    LINK = "link", gettext_lazy("Resource link")
    COURSE = "course", gettext_lazy("Course")
    HOW_TO = "howto", gettext_lazy("Short how-to")


class CampaignStatus(TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    RUNNING = "running", gettext_lazy("Running")
    FINISHED = "finished", gettext_lazy("Finished")


class Recommendation(models.Model):
    """What the CS team suggests to an account that does not use ``feature``.

    With no ``account`` it is for every account. One for an account either replaces the
    general ones for that feature there (an override) or, ``pinned``, comes first above them."""

    feature = models.CharField(max_length=100)
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="adoption_recommendations",
    )
    pinned = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "For one account: shown first, above the general ones (else it replaces them)."
        ),
    )
    kind = models.CharField(max_length=8, choices=RecommendationKind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField("link", max_length=500, blank=True)
    course = models.ForeignKey(
        "academy.Course", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    body = models.TextField(
        "how-to",
        blank=True,
        max_length=3000,
        help_text=gettext_lazy("Markdown: **bold**, lists, links."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["feature", "-pinned", "created_at", "pk"]
        indexes = [models.Index(fields=["feature", "account"], name="recommendation_feature")]

    def __str__(self) -> str:
        return f"{self.feature}: {self.title}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(
            gettext_noop("the recommendation “%(title)s” for %(feature)s"),
            title=self.title,
            feature=self.feature,
        )

    @property
    def body_html(self) -> SafeString:
        return _markdown(self.body)


class AdoptionCampaignQuerySet(models.QuerySet["AdoptionCampaign"]):
    def launched(self) -> AdoptionCampaignQuerySet:
        return self.filter(launched_at__isnull=False)


class AdoptionCampaign(models.Model):
    """People of one account, or of the accounts of a segment, who have not used ``feature``
    in ``idle_days`` days: told of it by a card in the portal and an e-mail."""

    name = models.CharField(max_length=200)
    feature = models.CharField(max_length=100)
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="adoption_campaigns",
    )
    segment = models.CharField(max_length=12, choices=Segment.choices, blank=True)
    idle_days = models.PositiveSmallIntegerField(
        "not used in (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    headline = models.CharField(max_length=120)
    message = models.TextField(
        max_length=2000, help_text=gettext_lazy("Markdown: the card's and e-mail's text.")
    )
    link = models.URLField(
        max_length=500, blank=True, help_text=gettext_lazy("Where “Try it” leads.")
    )
    # The card's and e-mail's text written in other languages: {"de": {"headline": …,
    # "message": …}, …}. A language (or a part of it) not written reads the default text.
    translations = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    launched_at = models.DateTimeField(null=True, blank=True)
    # The days usage counts toward the result, set at launch: from the launch day to
    # RESULT_DAYS after it (dates, so the result is one query over usage's day partitions).
    launched_on = models.DateField(null=True, blank=True)
    results_until = models.DateField(null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AdoptionCampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One audience: an account or a segment, never both nor neither.
            models.CheckConstraint(
                condition=(models.Q(account__isnull=False) & models.Q(segment=""))
                | (models.Q(account__isnull=True) & ~models.Q(segment="")),
                name="campaign_account_or_segment",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("the adoption campaign “%(name)s”"), name=self.name)

    @property
    def message_html(self) -> SafeString:
        return _markdown(self.message)

    @property
    def text(self) -> CampaignText:
        """The card's and e-mail's text in the language active where it is read (a page's
        reader's, an e-mail's recipient's)."""
        return CampaignText(self)

    def text_in(self, language: str) -> CampaignText:
        return CampaignText(self, language)

    @property
    def is_launched(self) -> bool:
        return self.launched_on is not None

    def status(self, today: date) -> CampaignStatus:
        if self.results_until is None:
            return CampaignStatus.DRAFT
        return CampaignStatus.FINISHED if today > self.results_until else CampaignStatus.RUNNING

    @staticmethod
    def result_window(launched_on: date) -> date:
        """The last day usage counts toward the result of a campaign launched that day."""
        return launched_on + timedelta(days=RESULT_DAYS)

    def audience_label(self) -> str:
        if self.account_id:
            return self.account.name if self.account else ""
        if not self.segment:
            return ""
        return gettext("{segment} accounts").format(segment=Segment(self.segment).label)


class CampaignText:
    """A campaign's headline and message in one language: its version in ``language`` (the
    active one when None), each part falling back to the default text."""

    def __init__(self, campaign: AdoptionCampaign, language: str | None = None) -> None:
        self.campaign = campaign
        self.language = language

    def _part(self, name: str) -> str:
        code = (self.language or get_language() or "").split("-")[0]
        version = self.campaign.translations.get(code) if code else None
        text = version.get(name) if isinstance(version, dict) else None
        return text if isinstance(text, str) and text.strip() else getattr(self.campaign, name)

    @property
    def headline(self) -> str:
        return self._part("headline")

    @property
    def message(self) -> str:
        return self._part("message")

    @property
    def message_html(self) -> SafeString:
        return _markdown(self.message)


class CampaignTarget(models.Model):
    """One person a launched campaign reaches, and how their product usage is found: the
    product user matched to them by e-mail (usage names a person by external id or e-mail)."""

    campaign = models.ForeignKey(AdoptionCampaign, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=200)
    email = models.EmailField()
    told_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "account", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "account", "user"], name="one_target_per_person"
            )
        ]
        indexes = [models.Index(fields=["user", "account"], name="campaign_target_person")]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.user_id}"
