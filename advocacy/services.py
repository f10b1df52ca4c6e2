"""Every change advocacy makes: asks and their answers, reference calls, referrals, case
studies. Views, the demo and the playbook step call these.

Each is a function named by its verb with a keyword-only ``acting_user`` (None for a
playbook), and records what it did in the activity log. A refusal is a ``ValidationError``
whose message the page shows (a 422), and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext

from accounts.access import AccountAccess
from accounts.activity import record, snapshot
from accounts.models import Account, CustomerRole, Membership, NotificationKind, User
from accounts.services import notify, tell_owner_of_customer
from surveys.models import Response

from . import figures
from .models import (
    ASK_KIND_IN_SENTENCE,
    ASK_STATUS_IN_SENTENCE,
    CASE_STUDY_STATUS_IN_SENTENCE,
    AdvocacyAsk,
    AskChannel,
    AskKind,
    AskStatus,
    CaseStudy,
    CaseStudyQuote,
    CaseStudyStatus,
    ReferenceCall,
    Referral,
    ReferralStatus,
)


def _later(message: Any, **names: Any) -> str:
    """An inbox title, lazy: made in the language of whoever reads it (typed as text, which
    it reads as)."""
    return cast(str, format_lazy(message, **names))


# Who may do what -------------------------------------------------------------------------------


def may_answer(access: AccountAccess, viewer: User, ask: AdvocacyAsk) -> bool:
    """An ask is answered by the person asked, nobody else."""
    return access.can("advocacy.answer") and ask.person_id == viewer.pk


def _on_account(account: Account, person: User) -> bool:
    return Membership.objects.filter(account=account, user=person, user__is_active=True).exists()


# Asks ------------------------------------------------------------------------------------------


@transaction.atomic
def ask_for_advocacy(
    account: Account,
    person: User,
    kind: str,
    *,
    channel: str = AskChannel.PORTAL,
    note: str = "",
    acting_user: User | None,
) -> AdvocacyAsk:
    """Ask a promoter of ``account`` for ``kind``; refused for someone not on the account, not
    a promoter, asked within the cooldown or who said no within the year."""
    if not _on_account(account, person):
        raise ValidationError(
            gettext("{person} is not one of {account}'s people.").format(
                person=person.display_name, account=account.name
            )
        )
    if not figures.is_promoter(person, account):
        raise ValidationError(
            gettext(
                "{person} is not a promoter: only people whose latest NPS answer is {score} or 10 "
                "are asked."
            ).format(person=person.display_name, score=figures.PROMOTER_FROM)
        )
    # One ask at a time per person: lock their row so two asks at once make one.
    User.objects.select_for_update().filter(pk=person.pk).first()
    block = figures.ask_block(person)
    if block:
        raise ValidationError(block)
    ask = AdvocacyAsk.objects.create(
        account=account,
        person=person,
        kind=kind,
        channel=channel,
        note=note,
        asked_by=acting_user,
    )
    record(
        gettext_noop("asked for advocacy"),
        actor=acting_user,
        account=account,
        target=ask,
        after=snapshot(ask, ["kind", "channel", "person"]),
    )
    notify(
        [person],
        kind=NotificationKind.ACCOUNT,
        title=_later(
            gettext_lazy("{ask}? {account}'s team at the vendor asks you"),
            ask=dict(AskKind.choices)[kind],
            account=account.name,
        ),
        url=reverse("advocacy_my_ask", args=[account.slug, ask.pk]),
        body=note,
        account=account,
    )
    return ask


@transaction.atomic
def answer_ask(ask: AdvocacyAsk, *, accept: bool, note: str = "", acting_user: User) -> bool:
    """The person asked says yes or no, once. Returns whether it changed."""
    if ask.person_id != acting_user.pk:
        raise ValidationError(gettext("Only the person asked answers an ask."))
    status = AskStatus.ACCEPTED if accept else AskStatus.DECLINED
    changed = AdvocacyAsk.objects.filter(pk=ask.pk, status=AskStatus.ASKED).update(
        status=status, answered_at=timezone.now(), answer_note=note
    )
    ask.refresh_from_db()
    if not changed:
        if ask.status == status:
            return False
        raise ValidationError(
            gettext("You already answered: {status}.").format(
                status=ASK_STATUS_IN_SENTENCE[AskStatus(ask.status)]
            )
        )
    record(
        gettext_noop("accepted an advocacy ask")
        if accept
        else gettext_noop("declined an advocacy ask"),
        actor=acting_user,
        account=ask.account,
        target=ask,
        after=snapshot(ask, ["status", "answer_note"]),
    )
    tell_owner_of_customer(
        ask.account,
        acting_user=acting_user,
        kind=NotificationKind.ACCOUNT,
        title=_later(
            gettext_lazy("{person} said yes: {ask}")
            if accept
            else gettext_lazy("{person} said no: {ask}"),
            person=acting_user.display_name,
            ask=ASK_KIND_IN_SENTENCE[AskKind(ask.kind)],
        ),
        url=reverse("advocacy_account", args=[ask.account.slug]),
        body=note,
    )
    return True


@transaction.atomic
def complete_ask(ask: AdvocacyAsk, *, acting_user: User) -> bool:
    """What the advocate agreed to is done (the review written, the talk given)."""
    changed = AdvocacyAsk.objects.filter(pk=ask.pk, status=AskStatus.ACCEPTED).update(
        status=AskStatus.DONE
    )
    ask.refresh_from_db()
    if not changed:
        if ask.status == AskStatus.DONE:
            return False
        raise ValidationError(gettext("Only an accepted ask can be marked done."))
    record(
        gettext_noop("marked an advocacy ask done"),
        actor=acting_user,
        account=ask.account,
        target=ask,
    )
    return True


# Reference calls --------------------------------------------------------------------------------


@transaction.atomic
def book_reference_call(
    account: Account,
    advocate: User,
    *,
    prospect: str,
    day: date,
    note: str = "",
    acting_user: User,
) -> ReferenceCall:
    """Book ``advocate`` for a call with a prospect; refused unless they agreed to be a
    reference, and while they are at the quarter's cap (resting)."""
    agreed = AdvocacyAsk.objects.filter(
        account=account,
        person=advocate,
        kind=AskKind.REFERENCE,
        status__in=[AskStatus.ACCEPTED, AskStatus.DONE],
    ).exists()
    if not agreed:
        raise ValidationError(
            gettext("{person} has not agreed to be a reference.").format(
                person=advocate.display_name
            )
        )
    User.objects.select_for_update().filter(pk=advocate.pk).first()
    calls = figures.calls_in_quarter(advocate, day)
    if figures.is_resting(calls):
        raise ValidationError(
            ngettext(
                "{person} is resting: {calls} reference call in that quarter already, the most we "
                "ask of one advocate ({cap}). Ask another advocate, or book the next quarter.",
                "{person} is resting: {calls} reference calls in that quarter already, the most we "
                "ask of one advocate ({cap}). Ask another advocate, or book the next quarter.",
                calls,
            ).format(person=advocate.display_name, calls=calls, cap=figures.calls_cap())
        )
    call = ReferenceCall.objects.create(
        account=account,
        advocate=advocate,
        prospect=prospect,
        date=day,
        note=note,
        booked_by=acting_user,
    )
    record(
        gettext_noop("booked a reference call"),
        actor=acting_user,
        account=account,
        target=call,
        after=snapshot(call, ["advocate", "prospect", "date"]),
        internal=True,
    )
    return call


@transaction.atomic
def mark_call_done(call: ReferenceCall, *, acting_user: User) -> bool:
    changed = ReferenceCall.objects.filter(pk=call.pk, done=False).update(done=True)
    call.refresh_from_db()
    if changed:
        record(
            gettext_noop("marked a reference call done"),
            actor=acting_user,
            account=call.account,
            target=call,
            internal=True,
        )
    return bool(changed)


# Referrals --------------------------------------------------------------------------------------


@transaction.atomic
def submit_referral(
    account: Account,
    *,
    company: str,
    contact_name: str,
    contact_email: str,
    note: str = "",
    acting_user: User,
) -> Referral:
    referral = Referral.objects.create(
        account=account,
        referred_by=acting_user,
        company=company,
        contact_name=contact_name,
        contact_email=contact_email,
        note=note,
    )
    record(
        gettext_noop("referred a company"),
        actor=acting_user,
        account=account,
        target=referral,
        after=snapshot(referral, ["company", "contact_name", "contact_email"]),
    )
    tell_owner_of_customer(
        account,
        acting_user=acting_user,
        kind=NotificationKind.ACCOUNT,
        title=_later(
            gettext_lazy("{person} referred {company}"),
            person=acting_user.display_name,
            company=company,
        ),
        url=reverse("advocacy_board") + "#referrals",
        body=note,
    )
    return referral


REFERRAL_FIELDS = ["status", "outcome"]


@transaction.atomic
def update_referral(
    referral: Referral, *, status: str, outcome: str, acting_user: User
) -> Referral:
    if status not in ReferralStatus.values:
        raise ValidationError(gettext("No such status."))
    before = snapshot(referral, REFERRAL_FIELDS)
    referral.status, referral.outcome, referral.updated_at = status, outcome, timezone.now()
    referral.save(update_fields=["status", "outcome", "updated_at"])
    record(
        gettext_noop("updated a referral"),
        actor=acting_user,
        account=referral.account,
        target=referral,
        before=before,
        after=snapshot(referral, REFERRAL_FIELDS),
        internal=True,
    )
    return referral


# Case studies -----------------------------------------------------------------------------------


def _set_quotes(case_study: CaseStudy, responses: Iterable[Response]) -> None:
    """The quotes: the chosen comments, in order; a comment kept keeps the champion's answer
    to it only until the draft is sent again (each sending asks about every quote)."""
    case_study.quotes.all().delete()
    CaseStudyQuote.objects.bulk_create(
        CaseStudyQuote(
            case_study=case_study,
            response=response,
            text=response.comment,
            said_by=f"{response.user.display_name}, {case_study.account.name}",
            position=i,
        )
        for i, response in enumerate(responses)
    )


def _own_responses(account: Account, responses: Iterable[Response]) -> list[Response]:
    chosen = list(responses)
    if any(r.account_id != account.pk or not r.comment for r in chosen):
        raise ValidationError(gettext("Quotes come from this account's own survey comments."))
    return chosen


CASE_STUDY_FIELDS = ["title", "body", "status"]


@transaction.atomic
def start_case_study(
    account: Account,
    *,
    title: str,
    body: str,
    responses: Iterable[Response] = (),
    acting_user: User,
) -> CaseStudy:
    """A draft, with the objectives the account met as they stand today."""
    chosen = _own_responses(account, responses)
    case_study = CaseStudy.objects.create(
        account=account,
        title=title,
        body=body,
        objectives=figures.objectives_met(account),
        created_by=acting_user,
    )
    _set_quotes(case_study, chosen)
    record(
        gettext_noop("started a case study"),
        actor=acting_user,
        account=account,
        target=case_study,
        after=snapshot(case_study, CASE_STUDY_FIELDS),
        internal=True,
    )
    return case_study


@transaction.atomic
def update_case_study(
    case_study: CaseStudy,
    *,
    title: str,
    body: str,
    responses: Iterable[Response],
    refresh_objectives: bool = False,
    acting_user: User,
) -> CaseStudy:
    """Edit a draft (or a rejected one, which becomes a draft again)."""
    if not case_study.editable:
        raise ValidationError(
            gettext("The case study is {status}: it can no longer be edited.").format(
                status=CASE_STUDY_STATUS_IN_SENTENCE[CaseStudyStatus(case_study.status)]
            )
        )
    chosen = _own_responses(case_study.account, responses)
    before = snapshot(case_study, CASE_STUDY_FIELDS)
    case_study.title, case_study.body = title, body
    case_study.status, case_study.updated_at = CaseStudyStatus.DRAFT, timezone.now()
    if refresh_objectives:
        case_study.objectives = figures.objectives_met(case_study.account)
    case_study.save()
    _set_quotes(case_study, chosen)
    record(
        gettext_noop("edited a case study"),
        actor=acting_user,
        account=case_study.account,
        target=case_study,
        before=before,
        after=snapshot(case_study, CASE_STUDY_FIELDS),
        internal=True,
    )
    return case_study


def champions(account: Account) -> list[User]:
    return list(
        User.objects.filter(
            memberships__account=account,
            memberships__role=CustomerRole.CHAMPION,
            is_active=True,
        )
    )


@transaction.atomic
def send_case_study(case_study: CaseStudy, *, acting_user: User) -> CaseStudy:
    """Send a draft to the account's champion to approve."""
    if case_study.status != CaseStudyStatus.DRAFT:
        raise ValidationError(
            gettext("Only a draft is sent for approval; this one is {status}.").format(
                status=CASE_STUDY_STATUS_IN_SENTENCE[CaseStudyStatus(case_study.status)]
            )
        )
    to = champions(case_study.account)
    if not to:
        raise ValidationError(
            gettext("{account} has no champion to approve it.").format(
                account=case_study.account.name
            )
        )
    if not case_study.body.strip():
        raise ValidationError(gettext("Write the story first: the case study has no text."))
    now = timezone.now()
    case_study.status, case_study.sent_at, case_study.updated_at = CaseStudyStatus.SENT, now, now
    case_study.rejection_reason = ""
    case_study.save(update_fields=["status", "sent_at", "updated_at", "rejection_reason"])
    case_study.quotes.update(allowed=None)
    record(
        gettext_noop("sent a case study for approval"),
        actor=acting_user,
        account=case_study.account,
        target=case_study,
    )
    notify(
        to,
        kind=NotificationKind.ACCOUNT,
        title=_later(
            gettext_lazy("Please approve the case study “{title}”"), title=case_study.title
        ),
        url=reverse("advocacy_case_study_review", args=[case_study.account.slug, case_study.pk]),
        account=case_study.account,
    )
    return case_study


@transaction.atomic
def decide_case_study(
    case_study: CaseStudy,
    *,
    approve: bool,
    allowed_quotes: Iterable[int] = (),
    reason: str = "",
    acting_user: User,
) -> CaseStudy:
    """The champion approves (saying which quotes may be printed) or rejects with a reason."""
    if case_study.status != CaseStudyStatus.SENT:
        raise ValidationError(
            gettext("The case study is {status}, not awaiting your approval.").format(
                status=CASE_STUDY_STATUS_IN_SENTENCE[CaseStudyStatus(case_study.status)]
            )
        )
    if not approve and not reason.strip():
        raise ValidationError(gettext("Say why, so the team can fix it."))
    allowed = set(allowed_quotes)
    quotes = case_study.quotes.all()
    if allowed - set(quotes.values_list("pk", flat=True)):
        raise ValidationError(gettext("No such quote in this case study."))
    now = timezone.now()
    case_study.status = CaseStudyStatus.APPROVED if approve else CaseStudyStatus.REJECTED
    case_study.decided_by, case_study.decided_at, case_study.updated_at = acting_user, now, now
    case_study.rejection_reason = "" if approve else reason.strip()
    case_study.save()
    if approve:
        quotes.filter(pk__in=allowed).update(allowed=True)
        quotes.exclude(pk__in=allowed).update(allowed=False)
    record(
        gettext_noop("approved a case study") if approve else gettext_noop("rejected a case study"),
        actor=acting_user,
        account=case_study.account,
        target=case_study,
        after=snapshot(case_study, ["status", "rejection_reason"]),
    )
    tell_owner_of_customer(
        case_study.account,
        acting_user=acting_user,
        kind=NotificationKind.ACCOUNT,
        title=_later(
            gettext_lazy("{person} approved “{title}”")
            if approve
            else gettext_lazy("{person} rejected “{title}”"),
            person=acting_user.display_name,
            title=case_study.title,
        ),
        url=case_study.get_absolute_url(),
        body=case_study.rejection_reason,
    )
    return case_study
