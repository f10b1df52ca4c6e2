"""Advocacy: asking promoters for a review, a reference, a talk, a case study or a referral;
the reference calls advocates take; the companies customers refer; and case studies the
champion approves before they become a PDF.

Every row reaches an :class:`~accounts.models.Account`. Who may be asked, and when again, is
decided in :mod:`advocacy.services` (the cooldown settings); the figures the pages show are in
:mod:`advocacy.figures`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Account
from portal.choices import TextChoices, gettext_lazy


class AskKind(TextChoices):
    REVIEW = "review", gettext_lazy("Write a review")
    REFERENCE = "reference", gettext_lazy("Be a reference")
    SPEAK = "speak", gettext_lazy("Speak at an event")
    CASE_STUDY = "case_study", gettext_lazy("Co-write a case study")
    REFERRAL = "referral", gettext_lazy("Refer a company")


# Each kind as it reads inside a sentence ("Sam said yes: write a review").
ASK_KIND_IN_SENTENCE = {
    AskKind.REVIEW: pgettext_lazy("advocacy ask, inside a sentence", "write a review"),
    AskKind.REFERENCE: pgettext_lazy("advocacy ask, inside a sentence", "be a reference"),
    AskKind.SPEAK: pgettext_lazy("advocacy ask, inside a sentence", "speak at an event"),
    AskKind.CASE_STUDY: pgettext_lazy("advocacy ask, inside a sentence", "co-write a case study"),
    AskKind.REFERRAL: pgettext_lazy("advocacy ask, inside a sentence", "refer a company"),
}


class AskChannel(TextChoices):
    PORTAL = "portal", gettext_lazy("In the portal")
    EMAIL = "email", gettext_lazy("By e-mail")
    CALL = "call", gettext_lazy("On a call")
    PLAYBOOK = "playbook", gettext_lazy("By a playbook")


class AskStatus(TextChoices):
    ASKED = "asked", gettext_lazy("Asked")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    DECLINED = "declined", gettext_lazy("Declined")
    DONE = "done", gettext_lazy("Done")


# Each status as it reads inside a sentence ("You already answered: accepted.").
ASK_STATUS_IN_SENTENCE = {
    AskStatus.ASKED: pgettext_lazy("advocacy ask status, inside a sentence", "asked"),
    AskStatus.ACCEPTED: pgettext_lazy("advocacy ask status, inside a sentence", "accepted"),
    AskStatus.DECLINED: pgettext_lazy("advocacy ask status, inside a sentence", "declined"),
    AskStatus.DONE: pgettext_lazy("advocacy ask status, inside a sentence", "done"),
}


class AdvocacyAsk(models.Model):
    """One request to one person of an account, and their answer."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="advocacy_asks")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advocacy_asks"
    )
    kind = models.CharField(max_length=12, choices=AskKind.choices)
    channel = models.CharField(max_length=10, choices=AskChannel.choices, default=AskChannel.PORTAL)
    status = models.CharField(max_length=10, choices=AskStatus.choices, default=AskStatus.ASKED)
    note = models.TextField(
        blank=True, max_length=2000, help_text=_("What you ask, in a line or two.")
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-asked_at"], name="advocacy_ask_person_recent"),
            models.Index(fields=["account", "status"], name="advocacy_ask_account_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.person_id})"

    def get_absolute_url(self) -> str:
        return reverse("advocacy_my_ask", args=[self.account.slug, self.pk])

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_choice, stored_text

        kind = stored_choice(self, "kind")
        return stored_text(gettext_noop("advocacy ask “%(kind)s”"), kind=kind)

    @property
    def said_yes(self) -> bool:
        return self.status in (AskStatus.ACCEPTED, AskStatus.DONE)


class ReferenceCall(models.Model):
    """A call an advocate takes with a prospect, booked by the CS team."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reference_calls")
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reference_calls"
    )
    prospect = models.CharField(_("prospect company"), max_length=200)
    date = models.DateField()
    done = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    booked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["advocate", "date"], name="reference_call_advocate")]

    def __str__(self) -> str:
        return f"{self.prospect} on {self.date}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("reference call with %(prospect)s"), prospect=self.prospect)


class ReferralStatus(TextChoices):
    NEW = "new", gettext_lazy("New")
    CONTACTED = "contacted", gettext_lazy("Contacted")
    QUALIFIED = "qualified", gettext_lazy("Qualified")
    WON = "won", gettext_lazy("Won")
    LOST = "lost", gettext_lazy("Lost")


# Each status as it reads inside a sentence ("Hooli Clinics: qualified.").
REFERRAL_STATUS_IN_SENTENCE = {
    ReferralStatus.NEW: pgettext_lazy("referral status, inside a sentence", "new"),
    ReferralStatus.CONTACTED: pgettext_lazy("referral status, inside a sentence", "contacted"),
    ReferralStatus.QUALIFIED: pgettext_lazy("referral status, inside a sentence", "qualified"),
    ReferralStatus.WON: pgettext_lazy("referral status, inside a sentence", "won"),
    ReferralStatus.LOST: pgettext_lazy("referral status, inside a sentence", "lost"),
}


class Referral(models.Model):
    """A company a customer referred, tracked by the vendor to an outcome."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="referrals")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals"
    )
    company = models.CharField(max_length=200)
    contact_name = models.CharField(_("contact's name"), max_length=200)
    contact_email = models.EmailField(_("contact's e-mail"))
    note = models.TextField(blank=True, max_length=2000)
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.NEW
    )
    outcome = models.TextField(_("outcome notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="referral_status_recent")]

    def __str__(self) -> str:
        return self.company

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("referral of %(company)s"), company=self.company)


class CaseStudyStatus(TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    SENT = "sent", gettext_lazy("Sent for approval")
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Rejected")


# Each status as it reads inside a sentence ("The case study is approved: ...").
CASE_STUDY_STATUS_IN_SENTENCE = {
    CaseStudyStatus.DRAFT: pgettext_lazy("case study status, inside a sentence", "draft"),
    CaseStudyStatus.SENT: pgettext_lazy(
        "case study status, inside a sentence", "sent for approval"
    ),
    CaseStudyStatus.APPROVED: pgettext_lazy("case study status, inside a sentence", "approved"),
    CaseStudyStatus.REJECTED: pgettext_lazy("case study status, inside a sentence", "rejected"),
}


class CaseStudy(models.Model):
    """A success story the CSM writes from the account's results; published once the
    champion approves it (and each quote in it)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="case_studies")
    title = models.CharField(max_length=200)
    body = models.TextField(
        blank=True,
        max_length=20_000,
        help_text=_("Markdown: the challenge, the solution, the result."),
    )
    # The objectives met when the draft was started: [{"title": ..., "results": [...]}].
    objectives = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=CaseStudyStatus.choices, default=CaseStudyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name_plural = _("case studies")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("advocacy_case_study", args=[self.account.slug, self.pk])

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("case study “%(title)s”"), title=self.title)

    @property
    def editable(self) -> bool:
        return self.status in (CaseStudyStatus.DRAFT, CaseStudyStatus.REJECTED)


class CaseStudyQuote(models.Model):
    """A survey comment the CSM picked for a case study. It is printed only once the
    champion has allowed it (``allowed``), when approving the case study."""

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="quotes")
    response = models.ForeignKey(
        "surveys.Response", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(max_length=2000)
    said_by = models.CharField(max_length=200)
    allowed = models.BooleanField(null=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
