"""Changes to surveys, campaigns, deliveries, responses and follow-ups.

Views and tasks call these. Expected refusals are :class:`SurveyError` subclasses carrying the
HTTP status a page shows them with (see ``views/common.py``), so bad input is a clear 4xx page.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from accounts.activity import record
from accounts.models import Account, Membership, NotificationKind, User
from accounts.models import Delivery as MailDelivery
from accounts.services import delivery_for
from portal.content_languages import version_errors
from portal.i18n import interpolate_lazy
from portal.jobs import enqueue

from .models import (
    EXIT_FOLLOW_UP,
    EXIT_QUESTION,
    TEXTS,
    Audience,
    Campaign,
    Channel,
    Delivery,
    FollowUp,
    Kind,
    Response,
    Schedule,
    Survey,
    SurveyOptOut,
    SurveyPause,
)

log = logging.getLogger(__name__)

ANSWER_SALT = "surveys.answer"
UNSUBSCRIBE_SALT = "surveys.unsubscribe"
SNOOZE_DAYS = 7
# The refusal of a second answer after the grace period (read in the person's language).
ALREADY_ANSWERED = gettext_noop(
    "Your answer was recorded earlier and can no longer be changed. Thank you!"
)


def in_site_language(text: str) -> str:
    """``text`` (a catalogue message) in the site's language: for names the portal stores."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


# Refusals ---------------------------------------------------------------------------------


class SurveyError(Exception):
    """A refusal with a message for the person and the HTTP status to show it with."""

    status = 400
    title = gettext_lazy("This link does not work")

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadToken(SurveyError):
    status = 400
    title = gettext_lazy("This link is not valid")


class ExpiredToken(SurveyError):
    status = 410
    title = gettext_lazy("This link has expired")


class UnknownSurvey(SurveyError):
    status = 404
    title = gettext_lazy("We could not find this survey")


class CampaignEnded(SurveyError):
    status = 410
    title = gettext_lazy("This survey has closed")


class AlreadyAnswered(SurveyError):
    status = 409
    title = gettext_lazy("You have already answered")


class ScoreOutOfRange(SurveyError):
    status = 400
    title = gettext_lazy("That score is not on the scale")


class Refused(SurveyError):
    """A console action that cannot be taken now: the form was fine, the state is not."""

    status = 422
    title = gettext_lazy("That could not be done")


# Signed links -----------------------------------------------------------------------------


def answer_token(delivery: Delivery, score: int) -> str:
    """A link's token: this recipient, this campaign (the delivery), this score; expiring."""
    return signing.dumps({"d": delivery.pk, "s": score}, salt=ANSWER_SALT, compress=False)


def answer_url(delivery: Delivery, score: int) -> str:
    return settings.SITE_URL + reverse("survey_email_answer", args=[answer_token(delivery, score)])


def read_answer_token(token: str, *, max_age: timedelta | None = None) -> tuple[Delivery, int]:
    """The delivery and score a token names; a :class:`SurveyError` for anything else."""
    age = max_age or timedelta(days=settings.SURVEY_TOKEN_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=ANSWER_SALT, max_age=age)
    except signing.SignatureExpired as error:
        raise ExpiredToken(
            gettext(
                "Survey links work for a limited time. Your account page may still show the question."
            )
        ) from error
    except signing.BadSignature as error:
        raise BadToken(
            gettext("The link was changed or cut short. Open it again from the e-mail.")
        ) from error
    if not isinstance(payload, dict) or not isinstance(payload.get("d"), int):
        raise BadToken(gettext("The link was changed or cut short. Open it again from the e-mail."))
    delivery = (
        Delivery.objects.select_related("campaign__survey", "account", "user")
        .filter(pk=payload["d"])
        .first()
    )
    if delivery is None:
        raise UnknownSurvey(gettext("This survey no longer exists."))
    score = payload.get("s")
    if not isinstance(score, int) or score not in delivery.campaign.survey.scale:
        raise BadToken(gettext("The link was changed or cut short. Open it again from the e-mail."))
    return delivery, score


def unsubscribe_url(user: User) -> str:
    token = signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=False)
    return settings.SITE_URL + reverse("survey_unsubscribe", args=[token])


def read_unsubscribe_token(token: str) -> User:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as error:
        raise BadToken(
            gettext("The link was changed or cut short. Open it again from the e-mail.")
        ) from error
    user_pk = payload.get("u") if isinstance(payload, dict) else None
    user = None if user_pk is None else User.objects.filter(pk=user_pk).first()
    if user is None:
        raise UnknownSurvey(gettext("We could not find who this link was for."))
    return user


# Surveys and campaigns --------------------------------------------------------------------


def save_survey(survey: Survey, *, acting_user: User) -> Survey:
    """Save a new or edited survey, its versions in other languages with it; refused
    (``ValidationError``) with a language the portal does not speak or a text too long."""
    problems = version_errors(survey.translations, TEXTS)
    if problems:
        raise ValidationError({"translations": problems})
    creating = survey.pk is None
    if creating:
        survey.created_by = acting_user
    if not creating and survey.campaigns.exists():
        original = Survey.objects.get(pk=survey.pk)
        if original.kind != survey.kind:
            raise ValidationError({"kind": "This survey has campaigns: its type cannot change."})
    survey.save()
    record(
        gettext_noop("created a survey") if creating else gettext_noop("edited a survey"),
        actor=acting_user,
        target=survey,
        after={
            "kind": survey.kind,
            "question": survey.question,
            "languages": sorted(survey.translations or {}),
        },
        internal=True,
    )
    return survey


def set_survey_archived(survey: Survey, archived: bool, *, acting_user: User) -> Survey:
    survey.archived_at = timezone.now() if archived else None
    survey.save(update_fields=["archived_at"])
    record(
        gettext_noop("archived a survey") if archived else gettext_noop("restored a survey"),
        actor=acting_user,
        target=survey,
        internal=True,
    )
    return survey


def may_manage(user: User, campaign: Campaign) -> bool:
    """CS admins manage every campaign; a CSM the campaigns of their own portfolio."""
    return bool(user.is_cs_admin or (user.is_csm and campaign.portfolio_owner_id == user.pk))


def may_see_every_account(user: User) -> bool:
    """CS admins read every account's answers; a CSM their own portfolio's."""
    return bool(user.is_cs_admin)


@transaction.atomic
def create_campaign(
    campaign: Campaign, *, accounts: list[Account], acting_user: User, now: datetime | None = None
) -> Campaign:
    """Save a validated campaign; one to be sent now is queued at once."""
    now = now or timezone.now()
    if campaign.survey.archived_at is not None:
        raise ValidationError({"survey": gettext("This survey is archived.")})
    campaign.created_by = acting_user
    campaign.portfolio_owner = acting_user if acting_user.is_csm else None
    if campaign.schedule in (Schedule.TRIGGER, Schedule.NOW):
        # A trigger waits for its event; "Send now" is sent by the job queued below, its one
        # wave, so the daily run has nothing left to send for it.
        campaign.next_run_at = None
    else:
        campaign.next_run_at = campaign.starts_at or now
    campaign.save()
    campaign.accounts.set(accounts)
    record(
        gettext_noop("created a survey campaign"),
        actor=acting_user,
        target=campaign,
        after={"survey": campaign.survey.name, "audience": campaign.audience_label},
        internal=True,
    )
    if campaign.schedule == Schedule.NOW:
        enqueue("surveys.run_campaign", campaign_id=campaign.pk)
    return campaign


def send_now(campaign: Campaign, *, acting_user: User, now: datetime | None = None) -> None:
    """Queue a wave of ``campaign`` now (the daily task's work, for one campaign).

    A one-off campaign is sent once: "Send now" sends an "at a date" campaign early, and then
    never again; a "Send now" campaign was sent when it was created. The row is locked, so two
    clicks at once queue one wave.
    """
    if not may_manage(acting_user, campaign):
        raise PermissionDenied(gettext("Only the campaign's CSM or a CS admin can send it."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().select_related("survey").get(pk=campaign.pk)
        if not locked.is_open(now):
            raise Refused(gettext("This campaign has ended: it sends nothing more."))
        if locked.schedule == Schedule.TRIGGER:
            raise Refused(gettext("A trigger campaign goes out when its event happens."))
        if not locked.offers_send_now(now):
            raise Refused(
                gettext(
                    "This campaign asks once, and it has been sent. "
                    "To ask again, create a new campaign."
                )
            )
        if locked.is_once:
            locked.next_run_at = None  # the queued wave is its one wave
            locked.save(update_fields=["next_run_at"])
        record(
            gettext_noop("sent a survey campaign"), actor=acting_user, target=locked, internal=True
        )
        enqueue("surveys.run_campaign", campaign_id=locked.pk)


def end_campaign(campaign: Campaign, *, acting_user: User) -> Campaign:
    if not may_manage(acting_user, campaign):
        raise PermissionDenied(gettext("Only the campaign's CSM or a CS admin can end it."))
    if campaign.status != Campaign.Status.ENDED:
        campaign.status = Campaign.Status.ENDED
        campaign.next_run_at = None
        campaign.save(update_fields=["status", "next_run_at"])
        record(
            gettext_noop("ended a survey campaign"),
            actor=acting_user,
            target=campaign,
            internal=True,
        )
    return campaign


# Who is asked -----------------------------------------------------------------------------


def paused_accounts(today: date | None = None) -> QuerySet[SurveyPause]:
    today = today or timezone.localdate()
    return SurveyPause.objects.filter(Q(until__isnull=True) | Q(until__gte=today))


def eligible_recipients(
    campaign: Campaign, accounts: QuerySet[Account], now: datetime
) -> list[tuple[int, int]]:
    """(account id, user id) of the people ``campaign`` may ask now, in a fixed few queries.

    Never someone who opted out, on a paused account, asked by any campaign within the
    person's cooldown, or on an account already asked its maximum within the period.
    """
    cooldown = now - timedelta(days=settings.SURVEY_PERSON_COOLDOWN_DAYS)
    period = now - timedelta(days=settings.SURVEY_ACCOUNT_PERIOD_DAYS)
    candidates = (
        Membership.objects.filter(
            account__in=accounts, role__in=campaign.roles, user__is_active=True
        )
        .exclude(user__in=SurveyOptOut.objects.values("user"))
        .exclude(account__in=paused_accounts(timezone.localdate(now)).values("account"))
        .exclude(user__in=Delivery.objects.filter(created_at__gt=cooldown).values("user"))
        .order_by("account_id", "user_id")
        .values_list("account_id", "user_id")
    )
    # How often each account was asked in the period: one per campaign wave that reached it.
    asks = Counter(
        account_id
        for account_id, _, _ in Delivery.objects.filter(created_at__gt=period, account__in=accounts)
        .values_list("account_id", "campaign_id", "wave")
        .distinct()
    )
    chosen: list[tuple[int, int]] = []
    seen: set[int] = set()
    for account_id, user_id in candidates:
        if user_id in seen or asks[account_id] >= settings.SURVEY_ACCOUNT_MAX_PER_PERIOD:
            continue
        seen.add(user_id)  # a person in two accounts is asked once
        chosen.append((account_id, user_id))
    return chosen


def _deliver(
    campaign: Campaign, wave: int, recipients: list[tuple[int, int]], now: datetime
) -> int:
    Delivery.objects.bulk_create(
        [
            Delivery(campaign=campaign, wave=wave, account_id=a, user_id=u, created_at=now)
            for a, u in recipients
        ],
        ignore_conflicts=True,
    )
    if recipients:
        enqueue("surveys.send_survey_emails", campaign_id=campaign.pk, wave=wave)
    return len(recipients)


@transaction.atomic
def run_campaign(campaign_id: int, now: datetime | None = None) -> int:
    """Send one wave of a campaign: deliveries for everyone eligible, e-mails by a job.

    Returns how many people were asked. The campaign row is locked, so two runs at once make
    two waves one after the other, and the cooldown keeps the second empty.
    """
    now = now or timezone.now()
    campaign = (
        Campaign.objects.select_for_update().select_related("survey").filter(pk=campaign_id).first()
    )
    if campaign is None or not campaign.is_open(now) or campaign.schedule == Schedule.TRIGGER:
        return 0
    if campaign.is_once and campaign.waves:
        return 0  # a one-off campaign has one wave: a second run (a retry, a late job) is a no-op
    wave = campaign.waves + 1
    recipients = eligible_recipients(campaign, campaign.audience_accounts(), now)
    campaign.waves = wave
    campaign.next_run_at = (
        now + timedelta(days=campaign.repeat_days or 1)
        if campaign.schedule == Schedule.EVERY
        else None
    )
    campaign.save(update_fields=["waves", "next_run_at"])
    return _deliver(campaign, wave, recipients, now)


TRIGGERS = {"onboarding_completed"}


def trigger(event: str, account: Account, now: datetime | None = None) -> int:
    """Ask ``account``'s people the open campaigns waiting for ``event``. Safe to repeat:
    a person is asked once per campaign (and the cooldown applies as ever)."""
    if event not in TRIGGERS:
        raise ValueError(f"Unknown survey trigger: {event}")
    now = now or timezone.now()
    asked = 0
    with transaction.atomic():
        campaigns = Campaign.objects.open(now).filter(schedule=Schedule.TRIGGER, trigger=event)
        for campaign in campaigns.select_related("survey"):
            accounts = campaign.audience_accounts().filter(pk=account.pk)
            asked_before = set(
                Delivery.objects.filter(campaign=campaign, account=account).values_list(
                    "user_id", flat=True
                )
            )
            recipients = [
                (a, u)
                for a, u in eligible_recipients(campaign, accounts, now)
                if u not in asked_before
            ]
            asked += _deliver(campaign, 1, recipients, now)
            if recipients:
                Campaign.objects.filter(pk=campaign.pk, waves=0).update(waves=1)
    return asked


@dataclass(frozen=True)
class AccountAsk:
    """What asking one account's people came to: how many were asked, how many were held
    back by the fatigue limits (opted out, asked recently, account asked enough), and whether
    the account's surveys are paused (then everyone is held back)."""

    asked: int
    held_back: int
    paused: bool
    campaign: Campaign | None


def playbook_campaign_name(survey: Survey) -> str:
    """The name of the campaign playbooks send ``survey`` through, in the site's language."""
    return in_site_language(gettext_noop("%(survey)s (sent by playbooks)")) % {
        "survey": survey.name
    }


@transaction.atomic
def ask_account(
    survey: Survey,
    account: Account,
    *,
    roles: list[str],
    acting_user: User | None,
    now: datetime | None = None,
) -> AccountAsk:
    """Ask ``account``'s people in ``roles`` ``survey`` now, as a playbook does.

    Each ask is one wave of the survey's playbook campaign for the account's CSM (made on the
    first ask: a trigger campaign with no trigger, so neither the daily run nor "Send now"
    sends it), through :func:`eligible_recipients`, so the same opt-outs, pauses, cooldown
    and per-account limits hold back the same people as for any campaign.
    """
    now = now or timezone.now()
    owner = account.owner
    creator = owner or acting_user
    if survey.archived_at is not None:
        raise ValidationError({"survey": gettext("This survey is archived.")})
    people = (
        Membership.objects.filter(account=account, role__in=roles, user__is_active=True)
        .values("user")
        .distinct()
        .count()
    )
    paused = paused_accounts(timezone.localdate(now)).filter(account=account).exists()
    if paused or not people or creator is None:
        return AccountAsk(asked=0, held_back=people, paused=paused, campaign=None)
    campaign = (
        Campaign.objects.open(now)
        .select_for_update()
        .filter(survey=survey, schedule=Schedule.TRIGGER, trigger="", portfolio_owner=owner)
        .filter(name=playbook_campaign_name(survey))
        .order_by("pk")
        .first()
    )
    if campaign is None:
        campaign = Campaign.objects.create(
            survey=survey,
            name=playbook_campaign_name(survey),
            audience=Audience.ACCOUNTS,
            roles=list(roles),
            schedule=Schedule.TRIGGER,
            trigger="",
            portfolio_owner=owner,
            created_by=creator,
        )
        record(
            gettext_noop("created a survey campaign"),
            actor=acting_user,
            target=campaign,
            after={"survey": survey.name, "audience": "Accounts chosen by playbooks"},
            internal=True,
        )
    campaign.accounts.add(account)
    campaign.roles = list(roles)
    recipients = eligible_recipients(campaign, Account.objects.filter(pk=account.pk), now)
    if recipients:
        campaign.waves += 1
        campaign.save(update_fields=["waves", "roles"])
        _deliver(campaign, campaign.waves, recipients, now)
        record(
            gettext_noop("sent a survey"),
            actor=acting_user,
            account=account,
            target=campaign,
            after={"asked": len(recipients)},
            internal=True,
        )
    return AccountAsk(
        asked=len(recipients),
        held_back=people - len(recipients),
        paused=False,
        campaign=campaign,
    )


# The exit survey ------------------------------------------------------------------------------

# Names of the exit survey and its campaign, written in the site's language when they are made
# (stored names, like any the CS team types).
EXIT_SURVEY_NAME = gettext_noop("Exit survey")
EXIT_CAMPAIGN_NAME = gettext_noop("Exit survey (sent by offboarding)")


def exit_survey(choices: list[str], *, acting_user: User) -> Survey:
    """The one exit survey, its reasons to choose from brought up to ``choices`` (the churn
    reasons offered now: the answers already given keep theirs)."""
    survey = Survey.objects.filter(kind=Kind.EXIT, archived_at__isnull=True).order_by("pk").first()
    choices = [c for c in dict.fromkeys(" ".join(c.split())[:200] for c in choices) if c]
    if survey is None:
        survey = Survey.objects.create(
            name=in_site_language(EXIT_SURVEY_NAME),
            kind=Kind.EXIT,
            question=EXIT_QUESTION,
            follow_up_question=EXIT_FOLLOW_UP,
            choices=choices,
            created_by=acting_user,
        )
        record(
            gettext_noop("created a survey"),
            actor=acting_user,
            target=survey,
            after={"kind": Kind.EXIT},
        )
    elif survey.choices != choices:
        survey.choices = choices
        survey.save(update_fields=["choices"])
    return survey


@transaction.atomic
def ask_exit(
    account: Account,
    *,
    choices: list[str],
    roles: list[str],
    acting_user: User | None,
    now: datetime | None = None,
) -> int:
    """Ask ``account``'s people in ``roles`` the exit survey, once each (asking again asks
    only who was not asked yet). A leaving account is asked whatever the fatigue limits and
    pauses (it is the last question), but never someone who opted out of surveys. Returns
    how many were asked; they are told by a job, in their inbox and by e-mail. With neither
    an acting user nor an owner CSM to send it in the name of, nobody is asked."""
    now = now or timezone.now()
    owner = account.owner
    creator = acting_user or owner
    if creator is None:
        return 0
    survey = exit_survey(choices, acting_user=creator)
    campaign = (
        Campaign.objects.select_for_update()
        .filter(survey=survey, name=in_site_language(EXIT_CAMPAIGN_NAME), portfolio_owner=owner)
        .filter(status=Campaign.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if campaign is None:
        campaign = Campaign.objects.create(
            survey=survey,
            name=in_site_language(EXIT_CAMPAIGN_NAME),
            audience=Audience.ACCOUNTS,
            roles=list(roles),
            schedule=Schedule.TRIGGER,
            trigger="",
            portfolio_owner=owner,
            created_by=creator,
        )
    campaign.accounts.add(account)
    asked_before = Delivery.objects.filter(campaign=campaign, account=account).values("user")
    people = list(
        Membership.objects.filter(account=account, role__in=roles, user__is_active=True)
        .exclude(user__in=asked_before)
        .exclude(user__in=SurveyOptOut.objects.values("user"))
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    if not people:
        return 0
    campaign.waves += 1
    campaign.save(update_fields=["waves"])
    _deliver(campaign, campaign.waves, [(account.pk, user_id) for user_id in people], now)
    record(
        gettext_noop("sent the exit survey"),
        actor=acting_user,
        account=account,
        target=campaign,
        after={"asked": len(people)},
        internal=True,
    )
    return len(people)


def exit_answer_url(delivery: Delivery) -> str:
    return settings.SITE_URL + reverse(
        "survey_exit_answer", args=[delivery.account.slug, delivery.pk]
    )


def record_exit_response(
    delivery: Delivery, *, reason: str, comment: str, now: datetime | None = None
) -> Answer:
    """Store the exit survey's one answer (a reason and a comment; no score). Within the
    grace period a second answer replaces it; after that it is refused."""
    now = now or timezone.now()
    survey = delivery.campaign.survey
    if survey.kind != Kind.EXIT:
        raise Refused(gettext("This survey asks for a score."))
    reason = " ".join(reason.split())[:200]
    if not reason:
        raise Refused(gettext("Choose the main reason you are leaving."))
    check_open(delivery, now)
    comment = comment.strip()
    with transaction.atomic():
        response = Response.objects.select_for_update().filter(delivery=delivery).first()
        if response is not None:
            if not response.editable(now):
                raise AlreadyAnswered(gettext(ALREADY_ANSWERED))
            response.reason, response.comment, response.updated_at = reason, comment, now
            response.save(update_fields=["reason", "comment", "updated_at"])
            return Answer(response, created=False)
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    delivery=delivery,
                    campaign_id=delivery.campaign_id,
                    account_id=delivery.account_id,
                    user_id=delivery.user_id,
                    kind=Kind.EXIT,
                    score=0,
                    reason=reason,
                    comment=comment,
                    channel=Channel.PORTAL,
                    answered_at=now,
                    updated_at=now,
                )
        except IntegrityError:  # a second click at the same moment stored it first
            raise AlreadyAnswered(gettext(ALREADY_ANSWERED)) from None
        record(
            gettext_noop("answered"),
            actor=delivery.user,
            account=delivery.account,
            target=response,
            after={"kind": Kind.EXIT, "reason": reason},
            internal=True,
        )
    return Answer(response, created=True)


# E-mail ------------------------------------------------------------------------------------


def opted_out(user: User) -> bool:
    """Whether ``user`` asked for no surveys at all (not just no survey e-mail)."""
    return SurveyOptOut.objects.filter(user=user).exists()


def mail_context(delivery: Delivery, *, reminder: bool) -> dict[str, Any]:
    survey = delivery.campaign.survey
    if survey.kind == Kind.EXIT:
        return {
            "delivery": delivery,
            "survey": survey,
            "account": delivery.account,
            "user": delivery.user,
            "answer_url": exit_answer_url(delivery),
            "unsubscribe_url": unsubscribe_url(delivery.user),
            "reminder": reminder,
            "vendor_name": settings.VENDOR_NAME,
        }
    return {
        "delivery": delivery,
        "survey": survey,
        "account": delivery.account,
        "user": delivery.user,
        "scores": [(score, answer_url(delivery, score)) for score in survey.scale],
        "portal_url": settings.SITE_URL + reverse("account_home", args=[delivery.account.slug]),
        "unsubscribe_url": unsubscribe_url(delivery.user),
        "notifications_url": settings.SITE_URL + reverse("notifications"),
        "reminder": reminder,
        "vendor_name": settings.VENDOR_NAME,
        "expires_days": settings.SURVEY_TOKEN_MAX_AGE_DAYS,
    }


def tell_of_survey(delivery: Delivery, *, reminder: bool) -> bool:
    """Put the question in the person's inbox, and e-mail it as they chose; whether an
    e-mail went out."""
    from accounts.services import Mail, tell

    survey = delivery.campaign.survey
    return tell(
        delivery.user,
        kind=NotificationKind.SURVEYS,
        title=format_lazy(
            gettext_lazy("Reminder: one question from {vendor} ({kind})")
            if reminder
            else gettext_lazy("one question from {vendor} ({kind})"),
            vendor=settings.VENDOR_NAME,
            kind=dict(Kind.choices)[survey.kind],
        ),
        url=reverse("account_home", args=[delivery.account.slug]),
        account=delivery.account,
        body=delivery.text.question,
        mail=Mail(
            "survey_exit_request" if survey.kind == Kind.EXIT else "survey_request",
            mail_context(delivery, reminder=reminder),
        ),
    )


def send_wave_emails(campaign_id: int, wave: int, now: datetime | None = None) -> int:
    """Tell a wave's unanswered deliveries, in the inbox and by e-mail as each person chose;
    returns how many e-mails went out. Each is claimed first, so a retry or a second worker
    tells nobody twice. People who turned survey e-mail off get it in the inbox alone (and
    the portal's prompt); people who opted out of surveys, nothing."""
    now = now or timezone.now()
    sent = 0
    deliveries = Delivery.objects.filter(
        campaign_id=campaign_id, wave=wave, sent_at__isnull=True, response__isnull=True
    ).select_related("campaign__survey", "account", "user")
    for delivery in deliveries:
        if not delivery.campaign.is_open(now) or opted_out(delivery.user):
            continue
        emailed = delivery_for(delivery.user, NotificationKind.SURVEYS) == MailDelivery.IMMEDIATELY
        claimed = Delivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).update(
            sent_at=now, channel=Channel.EMAIL if emailed else Channel.PORTAL
        )
        if not claimed:
            continue
        if tell_of_survey(delivery, reminder=False):
            sent += 1
    return sent


def send_reminders(now: datetime | None = None) -> int:
    """One reminder to each person told who has not answered after a few days (in the
    inbox, and by e-mail as they chose)."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        sent_at__lte=now - timedelta(days=settings.SURVEY_REMINDER_AFTER_DAYS),
        reminded_at__isnull=True,
        response__isnull=True,
        dismissed_at__isnull=True,
        campaign__in=Campaign.objects.open(now),
    ).select_related("campaign__survey", "account", "user")
    sent = 0
    for delivery in due:
        if opted_out(delivery.user):
            continue
        if not Delivery.objects.filter(pk=delivery.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            continue
        if tell_of_survey(delivery, reminder=True):
            sent += 1
    return sent


def run_due_campaigns(now: datetime | None = None) -> dict[str, int]:
    """The daily work: end what is past its end, run the due waves, send the reminders."""
    now = now or timezone.now()
    ended = Campaign.objects.filter(status=Campaign.Status.ACTIVE, ends_at__lte=now).update(
        status=Campaign.Status.ENDED, next_run_at=None
    )
    due = (
        Campaign.objects.open(now)
        .filter(next_run_at__lte=now)
        .exclude(schedule=Schedule.TRIGGER)
        .order_by("next_run_at", "pk")
        .values_list("pk", flat=True)
    )
    asked = sum(run_campaign(pk, now) for pk in list(due))
    return {"ended": ended, "asked": asked, "reminded": send_reminders(now)}


# Answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    response: Response
    created: bool


def check_open(delivery: Delivery, now: datetime) -> None:
    if not delivery.campaign.is_open(now):
        raise CampaignEnded(
            gettext("This survey has closed and no longer takes answers. Thank you all the same.")
        )


def record_response(
    delivery: Delivery, score: int, *, channel: str, now: datetime | None = None
) -> Answer:
    """Store ``delivery``'s one answer. A second answer within the grace period updates it;
    after that it is refused. Two at once store one row: the one-to-one on the delivery
    refuses the second insert, which then updates the first (or is refused) instead."""
    now = now or timezone.now()
    survey = delivery.campaign.survey
    if not isinstance(score, int) or score not in survey.scale:
        raise ScoreOutOfRange(
            gettext("Choose a score from %(low)s to %(high)s.")
            % {"low": survey.scale[0], "high": survey.scale[-1]}
        )
    check_open(delivery, now)
    # The same answer again (a second click, a retry) changes nothing: no write, no lock.
    earlier = Response.objects.filter(delivery=delivery).first()
    if earlier is not None:
        if not earlier.editable(now):
            raise AlreadyAnswered(gettext(ALREADY_ANSWERED))
        if earlier.score == score:
            return Answer(earlier, created=False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    delivery=delivery,
                    campaign_id=delivery.campaign_id,
                    account_id=delivery.account_id,
                    user_id=delivery.user_id,
                    kind=survey.kind,
                    score=score,
                    channel=channel,
                    answered_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            response = Response.objects.select_for_update().get(delivery=delivery)
            if not response.editable(now):
                raise AlreadyAnswered(gettext(ALREADY_ANSWERED)) from None
            if response.score != score:
                response.score = score
                response.updated_at = now
                response.save(update_fields=["score", "updated_at"])
                _sync_follow_up(response, survey, now)
            return Answer(response, created=False)
        response.delivery, response.campaign = delivery, delivery.campaign
        record(
            gettext_noop("answered"),
            actor=delivery.user,
            account=delivery.account,
            target=response,
            after={"score": score, "kind": survey.kind, "channel": channel},
            internal=True,
        )
        _sync_follow_up(response, survey, now, new=True)
    return Answer(response, created=True)


def add_comment(response: Response, comment: str, *, now: datetime | None = None) -> Response:
    now = now or timezone.now()
    comment = comment.strip()
    if not response.editable(now):
        raise AlreadyAnswered(
            gettext("Your answer was recorded earlier and can no longer be changed.")
        )
    if comment != response.comment:
        from .signals import response_commented  # signals imports this module

        with transaction.atomic():  # a receiver's job row commits with the comment
            Response.objects.filter(pk=response.pk).update(comment=comment, updated_at=now)
            response.comment, response.updated_at = comment, now
            response_commented.send(sender=Response, response=response, comment=comment, at=now)
    return response


def _sync_follow_up(response: Response, survey: Survey, now: datetime, new: bool = False) -> None:
    """A low score opens a follow-up for the account's CSM (who is told by e-mail); a score
    changed upwards within the grace period closes one nobody has touched yet."""
    existing = None if new else FollowUp.objects.filter(response=response).first()
    if survey.needs_follow_up(response.score):
        if existing is None:
            owner_id = Account.objects.filter(pk=response.account_id).values_list(
                "owner_id", flat=True
            )[0]
            follow_up = FollowUp.objects.create(
                response=response, account_id=response.account_id, csm_id=owner_id, created_at=now
            )
            enqueue("surveys.notify_follow_up", follow_up_id=follow_up.pk)
    elif existing is not None and existing.status == FollowUp.Status.OPEN and not existing.notes:
        existing.delete()


def dismiss(delivery: Delivery, *, now: datetime | None = None) -> None:
    Delivery.objects.filter(pk=delivery.pk, dismissed_at__isnull=True).update(
        dismissed_at=now or timezone.now()
    )


def snooze(delivery: Delivery, *, now: datetime | None = None) -> None:
    until = (now or timezone.now()) + timedelta(days=SNOOZE_DAYS)
    Delivery.objects.filter(pk=delivery.pk).update(snoozed_until=until)


@transaction.atomic
def opt_out(user: User) -> bool:
    """Never ask ``user`` again. Returns whether this changed anything."""
    _, created = SurveyOptOut.objects.get_or_create(user=user)
    return created


# Pausing an account -----------------------------------------------------------------------


@transaction.atomic
def pause_surveys(
    account: Account, *, reason: str, until: date | None, acting_user: User
) -> SurveyPause:
    pause, _ = SurveyPause.objects.update_or_create(
        account=account,
        defaults={
            "reason": reason,
            "until": until,
            "paused_by": acting_user,
            "paused_at": timezone.now(),
        },
    )
    record(
        gettext_noop("paused surveys"),
        actor=acting_user,
        account=account,
        target=account,
        after={"reason": reason, "until": until.isoformat() if until else None},
        internal=True,
    )
    return pause


@transaction.atomic
def resume_surveys(account: Account, *, acting_user: User) -> None:
    deleted, _ = SurveyPause.objects.filter(account=account).delete()
    if deleted:
        record(
            gettext_noop("resumed surveys"),
            actor=acting_user,
            account=account,
            target=account,
            internal=True,
        )


# Closing the loop -------------------------------------------------------------------------


# The log's verb for each status a follow-up is marked with (translated when read).
MARKED_FOLLOW_UP: dict[str, str] = {
    FollowUp.Status.OPEN: gettext_noop("marked a survey follow-up open"),
    FollowUp.Status.CONTACTED: gettext_noop("marked a survey follow-up contacted"),
    FollowUp.Status.RESOLVED: gettext_noop("marked a survey follow-up resolved"),
}


@transaction.atomic
def update_follow_up(
    follow_up: FollowUp,
    *,
    status: str,
    notes: str,
    customer_note: str,
    acting_user: User,
    now: datetime | None = None,
) -> FollowUp:
    """Move a follow-up on. Resolving it with a customer note tells the respondent ("You said,
    we did") in the portal and by e-mail."""
    now = now or timezone.now()
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    was = follow_up.status
    follow_up.status, follow_up.notes = status, notes
    follow_up.customer_note = customer_note.strip()
    if status == FollowUp.Status.RESOLVED and was != FollowUp.Status.RESOLVED:
        follow_up.resolved_at, follow_up.resolved_by = now, acting_user
        if follow_up.customer_note:
            enqueue("surveys.send_you_said_we_did", follow_up_id=follow_up.pk)
    elif status != FollowUp.Status.RESOLVED:
        follow_up.resolved_at, follow_up.resolved_by = None, None
    follow_up.save()
    if was != status:
        record(
            MARKED_FOLLOW_UP[status],
            actor=acting_user,
            account=follow_up.account,
            target=follow_up,
            before={"status": was},
            after={"status": status},
            internal=True,
        )
    return follow_up


def notify_follow_up(follow_up_id: int) -> bool:
    """Tell the CSM of a new follow-up, in their inbox and by e-mail as their "account"
    notification setting says; whether an e-mail went out."""
    from accounts.services import Mail, tell

    follow_up = (
        FollowUp.objects.select_related(
            "response__user", "response__campaign__survey", "account", "csm"
        )
        .filter(pk=follow_up_id)
        .first()
    )
    if follow_up is None or follow_up.csm is None:
        return False
    response = follow_up.response
    return tell(
        follow_up.csm,
        kind=NotificationKind.ACCOUNT,
        title=interpolate_lazy(
            gettext_lazy("%(account)s: a survey answer to follow up (%(kind_display)s %(score)s)"),
            {
                "account": follow_up.account.name,
                "kind_display": response.campaign.survey.get_kind_display(),
                "score": response.score,
            },
        ),
        url=follow_up.get_absolute_url(),
        account=follow_up.account,
        body=response.comment[:500],
        mail=Mail(
            "survey_follow_up",
            {
                "follow_up": follow_up,
                "response": response,
                "account": follow_up.account,
                "url": settings.SITE_URL + follow_up.get_absolute_url(),
            },
        ),
    )


def send_you_said_we_did(follow_up_id: int) -> bool:
    """Tell the person who answered what was done about it (inbox, and e-mail as they
    chose); whether an e-mail went out."""
    from accounts.services import Mail, tell

    follow_up = (
        FollowUp.objects.select_related(
            "response__user", "response__campaign__survey", "account", "resolved_by"
        )
        .filter(pk=follow_up_id, status=FollowUp.Status.RESOLVED)
        .exclude(customer_note="")
        .first()
    )
    if follow_up is None:
        return False
    user = follow_up.response.user
    home = reverse("account_home", args=[follow_up.account.slug])
    return tell(
        user,
        kind=NotificationKind.SURVEYS,
        title=interpolate_lazy(
            gettext_lazy("You said, we did: %(VENDOR_NAME)s acted on your answer"),
            {"VENDOR_NAME": settings.VENDOR_NAME},
        ),
        url=home,
        account=follow_up.account,
        body=follow_up.customer_note[:500],
        mail=Mail(
            "survey_you_said_we_did",
            {
                "follow_up": follow_up,
                "response": follow_up.response,
                "account": follow_up.account,
                "vendor_name": settings.VENDOR_NAME,
                "portal_url": settings.SITE_URL + home,
            },
        ),
    )
