"""NPS, CSAT and CES surveys: definitions, campaigns, deliveries, responses, follow-ups.

A :class:`Survey` is the question; a :class:`Campaign` sends it to an audience, once or every
N days (each run is a *wave*); a :class:`Delivery` is one person asked in one wave, shown in
the portal and (unless they turned survey e-mail off) e-mailed; a :class:`Response` is their
one answer to it. A low score opens a :class:`FollowUp` for the account's CSM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, CustomerRole, Segment, Stage, User, VendorRole
from portal import formatting
from portal.choices import TextChoices
from portal.content_languages import base_language, text_in


class Kind(TextChoices):
    NPS = "nps", pgettext_lazy("survey kind", "NPS")
    CSAT = "csat", pgettext_lazy("survey kind", "CSAT")
    CES = "ces", pgettext_lazy("survey kind", "CES")
    # Asked once of a leaving account's champions (offboarding): the main reason they leave,
    # from a list or in their words, and a comment. No score: it is never in NPS, CSAT or CES.
    EXIT = "exit", pgettext_lazy("survey kind", "Exit")


# The kinds answered on a scale, whose scores make the NPS, CSAT and CES figures.
SCORED_KINDS = (Kind.NPS, Kind.CSAT, Kind.CES)
SCORED_KIND_CHOICES = [(value, label) for value, label in Kind.choices if value in SCORED_KINDS]


class Band(models.TextChoices):
    """Where a score sits on its survey's scale, whatever the kind."""

    POSITIVE = "positive", _("Promoters, satisfied, easy")
    NEUTRAL = "neutral", _("Passives, neutral")
    NEGATIVE = "negative", _("Detractors, unsatisfied, hard")


# kind -> (lowest, highest)
SCALES: dict[str, tuple[int, int]] = {Kind.NPS: (0, 10), Kind.CSAT: (1, 5), Kind.CES: (1, 7)}
# Scores at or above the first are positive; at or below the second, negative (needs follow-up).
BANDS: dict[str, tuple[int, int]] = {Kind.NPS: (9, 6), Kind.CSAT: (4, 2), Kind.CES: (5, 3)}
# The words at either end of each scale.
ANCHORS: dict[str, tuple[str, str]] = {
    Kind.NPS: (gettext_noop("Not at all likely"), gettext_noop("Extremely likely")),
    Kind.CSAT: (gettext_noop("Very unsatisfied"), gettext_noop("Very satisfied")),
    Kind.CES: (gettext_noop("Strongly disagree"), gettext_noop("Strongly agree")),
}
# The built-in texts, stored in English as written; shown in each reader's language (see
# Survey.text_for) while the survey keeps them unchanged.
DEFAULT_QUESTIONS: dict[str, str] = {
    Kind.NPS: gettext_noop("How likely are you to recommend {vendor} to a friend or colleague?"),
    Kind.CSAT: gettext_noop("How satisfied are you with {vendor}?"),
    Kind.CES: gettext_noop("{vendor} made it easy for me to get what I needed."),
}
DEFAULT_FOLLOW_UP = gettext_noop("What is the main reason for your score?")
EXIT_QUESTION = gettext_noop("What is the main reason you are leaving?")
EXIT_FOLLOW_UP = gettext_noop("Anything else you would like us to know?")
# The texts a survey may have a version of in each language, and their longest length.
TEXTS: dict[str, int] = {"question": 300, "follow_up_question": 300}
# The exit survey's own choice for an answer in the person's words.
OTHER_REASON = gettext_noop("Another reason")


def band_of(kind: str, score: int) -> str:
    if kind not in BANDS:  # an exit answer has no score, so no band
        return Band.NEUTRAL
    positive_from, negative_to = BANDS[kind]
    if score >= positive_from:
        return Band.POSITIVE
    if score <= negative_to:
        return Band.NEGATIVE
    return Band.NEUTRAL


def band_filter(kind_field: str, score_field: str, band: str) -> Q:
    """A filter for responses in ``band``, across kinds (each kind has its own thresholds)."""
    q = Q()
    for kind, (positive_from, negative_to) in BANDS.items():
        if band == Band.POSITIVE:
            score = Q(**{f"{score_field}__gte": positive_from})
        elif band == Band.NEGATIVE:
            score = Q(**{f"{score_field}__lte": negative_to})
        else:
            score = Q(**{f"{score_field}__gt": negative_to, f"{score_field}__lt": positive_from})
        q |= Q(**{kind_field: kind}) & score
    return q


def built_in_text(text: str) -> str:
    """``text`` in the active language when it is one of the built-in texts (as the form
    fills it in, with the vendor's name), else as written."""
    for built_in in DEFAULT_QUESTIONS.values():
        if text == built_in.format(vendor=settings.VENDOR_NAME):
            return gettext(built_in).format(vendor=settings.VENDOR_NAME)
    if text in (DEFAULT_FOLLOW_UP, EXIT_QUESTION, EXIT_FOLLOW_UP):
        return gettext(text)
    return text


@dataclass(frozen=True)
class SurveyText:
    """What a respondent reads, in one language."""

    question: str
    follow_up_question: str


class SurveyQuerySet(models.QuerySet["Survey"]):
    def active(self) -> SurveyQuerySet:
        return self.filter(archived_at__isnull=True)


class Survey(models.Model):
    name = models.CharField(
        _("name"), max_length=120, help_text=_("For you; customers see the question.")
    )
    kind = models.CharField(_("type"), max_length=4, choices=Kind.choices, default=Kind.NPS)
    question = models.CharField(_("question"), max_length=300)
    # An exit survey's reasons to choose from (offboarding keeps them in step with the churn
    # reasons); empty for the scored kinds.
    choices = models.JSONField(default=list, blank=True)
    follow_up_question = models.CharField(
        _("follow-up question"),
        max_length=300,
        blank=True,
        default=DEFAULT_FOLLOW_UP,
        help_text=_("An optional open question asked after the score. Leave empty to ask none."),
    )
    # The texts in other languages: {"de": {"question": ..., "follow_up_question": ...}}. A
    # language or text missing here is read in the default one (see text_for).
    translations = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_scored(self) -> bool:
        return self.kind in SCALES

    @property
    def scale(self) -> range:
        """The scores it takes; none for an exit survey."""
        if self.kind not in SCALES:
            return range(0)
        low, high = SCALES[self.kind]
        return range(low, high + 1)

    @property
    def anchors(self) -> tuple[str, str]:
        """The words at either end of the scale, in the active language."""
        low, high = ANCHORS.get(self.kind, ("", ""))
        return (gettext(low) if low else "", gettext(high) if high else "")

    def band(self, score: int) -> str:
        return band_of(self.kind, score)

    def text_for(self, language: str) -> SurveyText:
        """The question and follow-up question a reader of ``language`` gets: the version
        written in it, else the default (a built-in default in that language)."""
        texts = text_in(
            language,
            defaults={"question": self.question, "follow_up_question": self.follow_up_question},
            versions=self.translations,
        )
        written = (self.translations or {}).get(base_language(language)) or {}
        with translation.override(base_language(language)):
            return SurveyText(
                **{
                    name: text if str(written.get(name) or "").strip() else built_in_text(text)
                    for name, text in texts.items()
                }
            )

    @property
    def text(self) -> SurveyText:
        """:meth:`text_for` the active language: a page's reader's, an e-mail's recipient's
        (portal.mail renders each e-mail in its reader's language)."""
        return self.text_for(translation.get_language() or settings.LANGUAGE_CODE)

    def needs_follow_up(self, score: int) -> bool:
        return self.band(score) == Band.NEGATIVE


class Audience(models.TextChoices):
    ALL = "all", _("All accounts")
    SEGMENT = "segment", _("A segment")
    STAGE = "stage", _("A lifecycle stage")
    ACCOUNTS = "accounts", _("Chosen accounts")


class Schedule(models.TextChoices):
    NOW = "now", _("Send now")
    AT = "at", _("At a date and time")
    EVERY = "every", _("Again every N days")
    TRIGGER = "trigger", _("When something happens")


class Trigger(models.TextChoices):
    NONE = "", "—"
    ONBOARDING_COMPLETED = "onboarding_completed", _("An account's onboarding completes")


# The roles a campaign asks, as its page lists them (the people of each role, in the plural).
ROLES_ASKED: dict[str, Any] = {
    CustomerRole.CHAMPION: pgettext_lazy("customer roles asked", "champions"),
    CustomerRole.EXECUTIVE: pgettext_lazy("customer roles asked", "executives"),
    CustomerRole.MEMBER: pgettext_lazy("customer roles asked", "members"),
}


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def visible_to(self, user: Any) -> CampaignQuerySet:
        """CS admins see every campaign; a CSM the vendor-wide ones and their portfolio's."""
        if not getattr(user, "is_authenticated", False) or not user.is_vendor:
            return self.none()
        if user.vendor_role == VendorRole.ADMIN:
            return self.all()
        return self.filter(Q(portfolio_owner__isnull=True) | Q(portfolio_owner=user))

    def open(self, now: datetime | None = None) -> CampaignQuerySet:
        now = now or timezone.now()
        return self.filter(status=Campaign.Status.ACTIVE, survey__archived_at__isnull=True).exclude(
            ends_at__lte=now
        )


class Campaign(models.Model):
    """One survey sent to an audience: once, at a time, every N days, or on a trigger."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("survey")
    )
    name = models.CharField(_("name"), max_length=120)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices, blank=True)
    stage = models.CharField(_("lifecycle stage"), max_length=12, choices=Stage.choices, blank=True)
    accounts = models.ManyToManyField(
        Account, blank=True, related_name="+", verbose_name=_("accounts")
    )
    roles = models.JSONField(_("roles"), default=list, help_text=_("Customer roles asked."))
    schedule = models.CharField(
        _("schedule"), max_length=8, choices=Schedule.choices, default=Schedule.NOW
    )
    starts_at = models.DateTimeField(_("send at"), null=True, blank=True)
    repeat_days = models.PositiveSmallIntegerField(_("every how many days"), null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices, blank=True)
    # When the next wave goes out; None once a one-off campaign has run (or for triggers).
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    waves = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    ends_at = models.DateTimeField(
        _("stop taking answers at"),
        null=True,
        blank=True,
        help_text=_("After this, answers are refused."),
    )
    # A CSM's campaign reaches their own portfolio only; a CS admin's (None) every account.
    portfolio_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("survey_campaign", args=[self.pk])

    @property
    def activity_label(self) -> str:
        return self.name

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.ACTIVE
            and (self.ends_at is None or self.ends_at > now)
            and self.survey.archived_at is None
        )

    @property
    def is_once(self) -> bool:
        """One-off: "Send now" and "At a date and time" ask once, in one wave."""
        return self.schedule in (Schedule.NOW, Schedule.AT)

    def offers_send_now(self, now: datetime | None = None) -> bool:
        """Whether "Send now" may send a wave: a recurring campaign whenever it is open; a
        one-off campaign only while its one wave is still to come (a date not reached yet).
        A "Send now" campaign was sent when it was created; a trigger waits for its event."""
        if self.schedule == Schedule.TRIGGER or not self.is_open(now):
            return False
        if self.is_once:
            return self.waves == 0 and self.next_run_at is not None
        return True

    def audience_accounts(self) -> models.QuerySet[Account]:
        accounts = Account.objects.all()
        if self.portfolio_owner_id is not None:
            accounts = accounts.filter(owner_id=self.portfolio_owner_id)
        if self.audience == Audience.STAGE:
            return accounts.filter(stage=self.stage)
        accounts = accounts.exclude(stage=Stage.CHURNED)  # only when asked for by name
        if self.audience == Audience.SEGMENT:
            accounts = accounts.filter(segment=self.segment)
        elif self.audience == Audience.ACCOUNTS:
            accounts = accounts.filter(pk__in=self.accounts.values("pk"))
        return accounts

    @property
    def audience_label(self) -> str:
        if self.audience == Audience.SEGMENT:
            if self.segment:
                return gettext("%(segment)s accounts") % {"segment": Segment(self.segment).label}
            return gettext("A segment")
        if self.audience == Audience.STAGE:
            if self.stage:
                return gettext("Accounts in %(stage)s") % {"stage": Stage(self.stage).label.lower()}
            return gettext("A stage")
        if self.audience == Audience.ACCOUNTS:
            return gettext("Chosen accounts")
        if self.portfolio_owner_id is None:
            return gettext("All accounts")
        return gettext("All accounts in the portfolio")

    @property
    def roles_label(self) -> str:
        """Who is asked: "Champions and executives", in the reader's language."""
        labels = [str(ROLES_ASKED[r]) for r in CustomerRole.values if r in self.roles]
        if not labels:
            return gettext("Nobody")
        if len(labels) == 1:
            return capfirst(labels[0])
        return capfirst(
            gettext("%(some)s and %(last)s")
            % {
                "some": pgettext("between the items of a list", ", ").join(labels[:-1]),
                "last": labels[-1],
            }
        )

    @property
    def schedule_label(self) -> str:
        if self.schedule == Schedule.EVERY:
            days = self.repeat_days or 1
            return ngettext("Every day", "Every %(days)d days", days) % {"days": days}
        if self.schedule == Schedule.TRIGGER:
            return str(Trigger(self.trigger).label) if self.trigger else gettext("On a trigger")
        if self.schedule == Schedule.AT and self.starts_at:
            return gettext("Once, at %(when)s") % {
                "when": formatting.short_datetime(self.starts_at)
            }
        return gettext("Once")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def visible_to(self, user: Any) -> DeliveryQuerySet:
        """The tenancy rule: a CSM sees their portfolio's deliveries, a CS admin all."""
        return self.filter(account__in=Account.objects.visible_to(user))

    def pending_for(
        self, account: Account, user: User, now: datetime | None = None
    ) -> DeliveryQuerySet:
        """What ``user`` has still to answer on ``account``, newest first."""
        now = now or timezone.now()
        return (
            self.filter(
                account=account, user=user, response__isnull=True, dismissed_at__isnull=True
            )
            .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))
            .filter(campaign__in=Campaign.objects.open(now))
            .select_related("campaign__survey")
            .order_by("-created_at", "-pk")
        )


class Delivery(models.Model):
    """One person asked once: one wave of one campaign, on one account."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    wave = models.PositiveIntegerField(default=1)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_deliveries"
    )
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.PORTAL)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "wave", "user"], name="one_delivery_per_person_and_wave"
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="delivery_user_recent"),
            models.Index(fields=["account", "-created_at"], name="delivery_account_recent"),
        ]
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.campaign} to {self.user_id} (wave {self.wave})"

    def language(self, fallback: str = "") -> str:
        """The language the person asked reads: theirs, else their account's (portal.i18n),
        else ``fallback`` (a page's: the browser's), else the site's."""
        from portal.i18n import language_or_default, person_locale

        chosen = person_locale(self.user, account=self.account).language
        return language_or_default(chosen or fallback)

    @property
    def text(self) -> SurveyText:
        """The survey's texts in the asked person's language (an inbox item, a page opened
        from an e-mailed link with no log-in)."""
        return self.campaign.survey.text_for(self.language())


class ResponseQuerySet(models.QuerySet["Response"]):
    def visible_to(self, user: Any) -> ResponseQuerySet:
        """The tenancy rule: a CSM sees their portfolio's answers, a CS admin all."""
        return self.filter(account__in=Account.objects.visible_to(user))

    def in_band(self, band: str) -> ResponseQuerySet:
        return self.filter(band_filter("kind", "score", band)) if band else self


class Response(models.Model):
    """One answer to one delivery. The one-to-one makes two clicks at once store one row."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="response")
    # Denormalised from the delivery, so that aggregates need no joins.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_responses"
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    # An exit answer stores 0: every figure reads the scores of its own kind only.
    score = models.PositiveSmallIntegerField()
    # An exit answer's reason: one of its survey's choices, or the person's own words.
    # In the database too, so rows written without it (bulk loads, older code) get it.
    reason = models.CharField(max_length=200, blank=True, db_default="")
    comment = models.TextField(blank=True)
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.PORTAL)
    answered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_at", "-pk"]
        indexes = [
            models.Index(fields=["account", "answered_at"], name="response_account_time"),
            models.Index(fields=["campaign", "answered_at"], name="response_campaign_time"),
            models.Index(fields=["kind", "answered_at"], name="response_kind_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=10), name="response_score_in_range")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.score} from {self.user_id}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_choice, stored_text

        if self.kind == Kind.EXIT:
            return stored_text(gettext_noop("exit survey “%(name)s”"), name=self.campaign.name)
        return stored_text(
            gettext_noop("%(kind)s survey “%(name)s” with %(score)s"),
            kind=stored_choice(self, "kind"),
            name=self.campaign.name,
            score=self.score,
        )

    @property
    def band(self) -> str:
        return band_of(self.kind, self.score)

    def editable(self, now: datetime | None = None) -> bool:
        """Within the grace period a second answer (or a comment) updates this one."""
        now = now or timezone.now()
        return now - self.answered_at <= timedelta(minutes=settings.SURVEY_ANSWER_GRACE_MINUTES)


class FollowUp(models.Model):
    """A low score, for the account's CSM to follow up on."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONTACTED = "contacted", _("Contacted")
        RESOLVED = "resolved", _("Resolved")

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="follow_up")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_follow_ups",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Internal: never shown to the customer.")
    )
    customer_note = models.TextField(
        _("“You said, we did” note"),
        blank=True,
        help_text=_("Shown to the respondent in the portal and e-mailed to them when resolved."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="followup_status_age")]

    def __str__(self) -> str:
        return f"Follow-up of {self.response}"

    def get_absolute_url(self) -> str:
        return reverse("survey_follow_up", args=[self.pk])

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_choice, stored_text

        return stored_text(
            gettext_noop("follow-up of a %(kind)s %(score)s"),
            kind=stored_choice(self.response, "kind"),
            score=self.response.score,
        )


class SurveyPause(models.Model):
    """No survey reaches this account while paused (an escalation, a renewal negotiation)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="survey_pause")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty: until someone resumes.")
    )
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paused_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Surveys paused for {self.account}"

    @property
    def activity_label(self) -> str:
        from portal.i18n import stored_text

        return stored_text(
            gettext_noop("the pause of surveys for %(account)s"), account=self.account.name
        )

    def is_active(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.until is None or self.until >= today


class SurveyOptOut(models.Model):
    """This person is never asked again (the unsubscribe link)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_opt_out"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} opted out of surveys"
