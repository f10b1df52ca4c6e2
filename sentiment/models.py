"""The sentiment of one comment a customer wrote: a survey comment, a plan comment or an
onboarding task comment. Scored off the request (``sentiment.score_comment``), once per source,
again when the text changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Account


class SourceKind(models.TextChoices):
    SURVEY_RESPONSE = "survey_response", _("Survey comment")
    PLAN_COMMENT = "plan_comment", _("Plan comment")
    TASK_COMMENT = "task_comment", _("Task comment")


class Label(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
    UNKNOWN = "unknown", _("Unknown")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    UNKNOWN = "unknown", _("Unknown")


class CommentSentimentQuerySet(models.QuerySet["CommentSentiment"]):
    def for_account(self, account: Account) -> CommentSentimentQuerySet:
        return self.filter(account=account)

    def scored(self) -> CommentSentimentQuerySet:
        """Only the comments with a score (English); unknown ones are counted, never averaged."""
        return self.filter(compound__isnull=False)


class CommentSentiment(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    source_id = models.PositiveIntegerField()
    # The plan, task or survey campaign the comment belongs to: the link on the 360° page.
    parent_id = models.PositiveIntegerField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    excerpt = models.CharField(max_length=200)
    language = models.CharField(max_length=8, choices=Language.choices)
    compound = models.FloatField(null=True, blank=True)  # VADER's compound, -1..1; None: unknown
    label = models.CharField(max_length=8, choices=Label.choices)
    written_at = models.DateTimeField()
    scored_at = models.DateTimeField()

    objects = CommentSentimentQuerySet.as_manager()

    class Meta:
        ordering = ["-written_at", "-pk"]
        indexes = [
            models.Index(fields=["account", "written_at"], name="sentiment_account_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_id"], name="one_sentiment_per_comment"
            ),
            models.CheckConstraint(
                condition=(
                    Q(compound__isnull=True, label="unknown")
                    | Q(compound__gte=-1, compound__lte=1, language="en") & ~Q(label="unknown")
                ),
                name="sentiment_scored_or_unknown",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_kind_display()} {self.source_id}: {self.label}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        phrases = {
            SourceKind.SURVEY_RESPONSE.value: gettext_noop("survey comment sentiment"),
            SourceKind.PLAN_COMMENT.value: gettext_noop("plan comment sentiment"),
            SourceKind.TASK_COMMENT.value: gettext_noop("task comment sentiment"),
        }
        if self.source_kind not in phrases:
            return f"{self.source_kind} sentiment"
        return stored_text(phrases[self.source_kind])
