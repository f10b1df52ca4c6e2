"""Business reviews written by the CSM, and the PDFs made from them and from each year.

A *document* is one review or one account's Wrapped for a year. Each time its figures change,
generating it makes a new :class:`Report` (a version); asking again with nothing changed gives
the stored file back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Segment
from portal.formatting import number
from portal.i18n import StoredText, stored_text

# Why a version failed, as its page tells the vendor (see Report.error_text).
FAILED_AFTER_TRIES = gettext_noop("The PDF could not be made after several tries (%(detail)s).")
FAILED_TOO_LONG = gettext_noop(
    "Rendering took longer than %(seconds)s seconds and was stopped. Shorten the longest "
    "texts, then try again."
)
FAILED = gettext_noop("The PDF could not be made: %(detail)s")


# The title a new review is given ("Q3 2026 business review"): read in each reader's language
# for as long as nobody changes it (Review.title_text).
DEFAULT_TITLE = gettext_noop("Q%(quarter)s %(year)s business review")


def default_title(start: date) -> str:
    """The default title of a review of the quarter ``start`` is in, in the active language."""
    return gettext(DEFAULT_TITLE) % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}


class Review(models.Model):
    """A business review for a period, with the narrative the CSM writes before generating."""

    class Kind(models.TextChoices):
        QBR = "qbr", _("Quarterly business review")
        EBR = "ebr", _("Executive business review")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices, default=Kind.QBR)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(pgettext_lazy("a period's first day", "from"))
    period_end = models.DateField(pgettext_lazy("a period's last day", "to"))
    summary = models.TextField(_("executive summary"), max_length=20000, blank=True)
    risks = models.TextField(_("risks"), max_length=20000, blank=True)
    recommendations = models.TextField(
        _("recommendations and next steps"), max_length=20000, blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="review_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("review", args=[self.account.slug, self.pk])

    @property
    def has_default_title(self) -> bool:
        """Whether the title is still the default one (:func:`default_title`), in whichever
        of the portal's languages it was written."""
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                if self.title == default_title(self.period_start):
                    return True
        return False

    @property
    def title_text(self) -> str:
        """The title as its reader reads it: the default title in their language while it is
        still the default; a title the CSM wrote, as written."""
        return default_title(self.period_start) if self.has_default_title else self.title

    @property
    def title_words(self) -> StoredText | str:
        """The title kept for readers of any language (an activity's target): the default
        title's message and values while it is the default, a title the CSM wrote as written."""
        if not self.has_default_title:
            return self.title
        start = self.period_start
        return stored_text(
            DEFAULT_TITLE, quarter=str((start.month - 1) // 3 + 1), year=str(start.year)
        )

    @property
    def activity_label(self) -> StoredText | str:
        return self.title_words

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def document(self) -> str:
        return f"review-{self.pk}"

    @property
    def period_slug(self) -> str:
        """``2026-q3`` for a calendar quarter, else ``2026-07-01-to-2026-08-15``."""
        start, end = self.period_start, self.period_end
        if (start, end) == quarter_of(start):
            return f"{start.year}-q{(start.month - 1) // 3 + 1}"
        return f"{start:%Y-%m-%d}-to-{end:%Y-%m-%d}"


class WrappedNote(models.Model):
    """The CSM's personal note printed in an account's Wrapped for a year."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    body = models.TextField(_("note"), max_length=3000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="one_wrapped_note_a_year")
        ]

    def __str__(self) -> str:
        return f"Note for {self.account} Wrapped {self.year}"

    @property
    def activity_label(self) -> str:
        from portal.i18n import stored_text

        return stored_text(
            gettext_noop("the Wrapped %(year)s note for %(account)s"),
            year=str(self.year),
            account=self.account.name,
        )


def stuck_before() -> datetime:
    """A version rendering since before this has lost its worker."""
    return timezone.now() - timedelta(seconds=settings.REPORT_RENDER_TIME_LIMIT + 30)


def report_path(report: Report, filename: str) -> str:
    return (
        f"reports/{report.account_id}/{report.document}-v{report.version}"
        f"{report.language_suffix}-{report.fingerprint[:12]}.pdf"
    )


def site_language() -> str:
    return settings.LANGUAGE_CODE


def site_time_zone() -> str:
    return settings.TIME_ZONE


class Report(models.Model):
    """One version of a document as a PDF, and where its making stands.

    Each document is made in the language and time zone of the person who downloads it (or,
    made off the request, of the account): every (language, zone) has its own versions and
    files, numbered from 1, and its figures gathered and formatted in that language.
    """

    class Kind(models.TextChoices):
        WRAPPED = "wrapped", _("Wrapped")
        REVIEW = "review", _("Business review")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    document = models.CharField(max_length=40, help_text=_("wrapped-<year> or review-<id>"))
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    version = models.PositiveIntegerField()
    # What the PDF is written in, and the zone its dates are told in.
    language = models.CharField(max_length=10, default=site_language)
    time_zone = models.CharField(max_length=64, default=site_time_zone)
    # SHA-256 of the figures and the template version: the same inputs give the same file.
    fingerprint = models.CharField(max_length=64)
    # Customers see it: a Wrapped, or a review version asked for while the review is published.
    shared = models.BooleanField(default=False)
    inputs = models.JSONField(
        help_text=_("The figures as they were when this version was asked for.")
    )
    # The figures as language-neutral data (reports.words): ``inputs`` is them worded in
    # ``language``; a copy in another language is worded from them. Empty for versions made
    # before they were kept.
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    # A version in another language made for a reader from this published one: the same
    # texts and figures as of the same day, written in the reader's language and zone.
    made_from = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="translations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Why it failed: one of the FAILED_* sentences, stored in English and read in the
    # reader's language (:attr:`error_text`), and the technical detail it names.
    error = models.TextField(blank=True)
    error_detail = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=report_path, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "document", "language", "time_zone", "version"],
                name="one_report_per_version_and_language",
            ),
        ]
        indexes = [models.Index(fields=["account", "document", "-version"], name="report_latest")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def get_absolute_url(self) -> str:
        return reverse("report", args=[self.account.slug, self.pk])

    @property
    def title(self) -> str:
        if self.kind == self.Kind.WRAPPED:
            return gettext("%(account)s Wrapped %(year)s") % {
                "account": self.account.name,
                "year": self.year,
            }
        if self.review is not None:
            return self.review.title_text
        return gettext("Business review")

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        return stored_text(
            gettext_noop("%(title)s, version %(version)s"),
            title=self.title_words,
            version=self.version,
        )

    @property
    def title_words(self) -> StoredText | str:
        """The title kept for readers of any language (see :attr:`Review.title_words`)."""
        if self.kind == self.Kind.WRAPPED:
            return stored_text(
                gettext_noop("%(account)s Wrapped %(year)s"),
                account=self.account.name,
                year=str(self.year),
            )
        if self.review is not None:
            return self.review.title_words
        return stored_text(gettext_noop("Business review"))

    @property
    def filename(self) -> str:
        """``acme-wrapped-2026.pdf``, ``acme-qbr-2026-q3.pdf``; later versions add ``-v2``."""
        if self.kind == self.Kind.WRAPPED:
            stem = f"{self.account.slug}-wrapped-{self.year}"
        elif self.review is not None:
            stem = f"{self.account.slug}-{self.review.kind}-{self.review.period_slug}"
        else:
            stem = f"{self.account.slug}-review"
        return f"{stem}{f'-v{self.version}' if self.version > 1 else ''}{self.language_suffix}.pdf"

    @property
    def language_suffix(self) -> str:
        """``-de`` for a version in another language than the site's; nothing for the site's."""
        return "" if self.language == settings.LANGUAGE_CODE else f"-{self.language}"

    def is_for(self, language: str, time_zone: str) -> bool:
        """Written in ``language`` with its dates in ``time_zone``."""
        return (self.language, self.time_zone) == (language, time_zone)

    @property
    def error_text(self) -> str:
        """Why it failed, in the active language (a text stored before the sentences were
        kept apart from their detail reads as it was written)."""
        if not self.error:
            return ""
        values = {
            "detail": self.error_detail,
            "seconds": number(settings.REPORT_RENDER_TIME_LIMIT),
        }
        try:
            return gettext(self.error) % values
        except (KeyError, TypeError, ValueError):
            return self.error

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    @property
    def is_stuck(self) -> bool:
        """Rendering for longer than a render may take: its worker was lost."""
        return (
            self.status == self.Status.RENDERING
            and self.started_at is not None
            and self.started_at < stuck_before()
        )


class WrappedBatch(models.Model):
    """A CS admin's "make every account's Wrapped" run, with its progress."""

    year = models.PositiveSmallIntegerField()
    segment = models.CharField(
        max_length=12, choices=Segment.choices, blank=True, help_text=_("Empty: every account.")
    )
    email_executives = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    # Accounts whose first contract started on or before this day get a Wrapped; the others
    # are listed in ``skipped`` ({"account": id, "name": ..., "reason": ...}) with the reason.
    # Empty for batches made before the rule: every account of the segment.
    contract_cutoff = models.DateField(null=True, blank=True)
    skipped = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Wrapped {self.year} for {self.segment or 'every account'}"

    @property
    def activity_label(self) -> str:
        from portal.i18n import stored_choice, stored_text

        if not self.segment:
            return stored_text(
                gettext_noop("the Wrapped %(year)s batch for every account"), year=str(self.year)
            )
        return stored_text(
            gettext_noop("the Wrapped %(year)s batch for the %(segment)s segment"),
            year=str(self.year),
            segment=stored_choice(self, "segment"),
        )


class BatchItem(models.Model):
    batch = models.ForeignKey(WrappedBatch, on_delete=models.CASCADE, related_name="items")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="batch_items")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "account"], name="one_item_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.account} in {self.batch}"


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter holding ``day``: its first and last day."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    following = (
        date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    )
    return start, following - timedelta(days=1)


class ReviewRequest(models.Model):
    """A champion or executive asking for a business review: what they want covered and the
    month they would like it. The owner CSM is told; a second ask within
    :data:`ASK_AGAIN_AFTER_DAYS` days is refused ("already asked on …")."""

    ASK_AGAIN_AFTER_DAYS = 30

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="review_requests")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(
        _("what you would like covered"),
        max_length=2000,
        blank=True,
        help_text=_("Optional: topics, questions, who will attend."),
    )
    preferred_month = models.DateField(
        null=True, blank=True, help_text=_("The first day of the month they would like it in.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "-created_at"], name="review_ask_recent")]

    def __str__(self) -> str:
        return f"{self.asked_by} asked for a review of {self.account}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("a business review"))
