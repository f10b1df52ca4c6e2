"""Every figure advocacy shows: who the promoters are and whether they may be asked now, the
reference calls an advocate took this quarter against the cap, the board's lists, the results
a case study is prefilled with. Pages, the PDF and the services read these, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Account, Membership, User
from portal.formatting import short_date
from successplans.models import Objective
from surveys.models import BANDS, Band, Kind, Response, band_filter

from .models import (
    AdvocacyAsk,
    AskKind,
    AskStatus,
    CaseStudy,
    CaseStudyStatus,
    ReferenceCall,
    Referral,
    ReferralStatus,
)

PROMOTER_FROM = BANDS[Kind.NPS][0]  # 9: promoters answer 9 or 10
QUOTABLE_COMMENTS = 30


# The quarter and the reference-call cap ------------------------------------------------------


def quarter_of(day: date) -> tuple[date, date]:
    """The first and the last day of ``day``'s calendar quarter."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month + 2) // 12, (first_month + 2) % 12 + 1, 1) - timedelta(
        days=1
    )
    return start, end


def calls_cap() -> int:
    return int(settings.ADVOCACY_REFERENCE_CALLS_PER_QUARTER)


@dataclass(frozen=True)
class Rules:
    cooldown_days: int
    declined_days: int
    cap: int


def rules() -> Rules:
    """The settings that hold asks and calls back, for the pages to say."""
    return Rules(
        settings.ADVOCACY_ASK_COOLDOWN_DAYS,
        settings.ADVOCACY_DECLINED_COOLDOWN_DAYS,
        calls_cap(),
    )


def calls_in_quarter(advocate: User, day: date) -> int:
    """The reference calls ``advocate`` takes (booked or done) in ``day``'s quarter."""
    start, end = quarter_of(day)
    return ReferenceCall.objects.filter(advocate=advocate, date__range=(start, end)).count()


def is_resting(calls: int) -> bool:
    """At the cap: an advocate who rests until the next quarter."""
    return calls >= calls_cap()


def _calls_this_quarter(day: date) -> Any:
    start, end = quarter_of(day)
    return Coalesce(
        Subquery(
            ReferenceCall.objects.filter(advocate=OuterRef("person"), date__range=(start, end))
            .order_by()
            .values("advocate")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _resting() -> Any:
    """:func:`is_resting` in the database, on a query annotated with ``calls``."""
    return ExpressionWrapper(Q(calls__gte=calls_cap()), output_field=BooleanField())


# Who may be asked --------------------------------------------------------------------------


def ask_block(person: User, now: datetime | None = None) -> str | None:
    """Why ``person`` may not be asked now, in words; None when they may. A person is asked
    once per cooldown whatever the kind, and not for a year after a "no"."""
    now = now or timezone.now()
    asks = list(AdvocacyAsk.objects.filter(person=person).order_by("-asked_at", "-pk"))
    reason = _block_from(asks, now)
    return f"{person.display_name} {reason}." if reason else None


def latest_nps(person: User, account: Account) -> int | None:
    return (
        Response.objects.filter(account=account, user=person, kind=Kind.NPS)
        .order_by("-answered_at", "-pk")
        .values_list("score", flat=True)
        .first()
    )


def is_promoter(person: User, account: Account) -> bool:
    """Their latest NPS answer on the account is 9 or 10."""
    score = latest_nps(person, account)
    return score is not None and score >= PROMOTER_FROM


@dataclass(frozen=True)
class PromoterRow:
    person: User
    role: str
    score: int
    answered_at: datetime
    last_asked_at: datetime | None
    last_kind: str
    last_status: str
    block: str | None

    @property
    def may_ask(self) -> bool:
        return self.block is None


def promoters(account: Account, now: datetime | None = None) -> list[PromoterRow]:
    """The account's people whose latest NPS answer is 9 or 10, with their last ask and
    whether they may be asked now. Three queries whatever the number of people."""
    now = now or timezone.now()
    latest = Response.objects.filter(
        account=account, user=OuterRef("user"), kind=Kind.NPS
    ).order_by("-answered_at", "-pk")
    members = (
        Membership.objects.filter(account=account, user__is_active=True)
        .annotate(
            nps=Subquery(latest.values("score")[:1]),
            nps_at=Subquery(latest.values("answered_at")[:1]),
        )
        .filter(nps__gte=PROMOTER_FROM)
        .select_related("user")
        .order_by("-nps_at")
    )
    rows = list(members)
    asks: dict[int, list[AdvocacyAsk]] = {}
    for ask in AdvocacyAsk.objects.filter(person__in=[m.user_id for m in rows]).order_by(
        "-asked_at"
    ):
        asks.setdefault(ask.person_id, []).append(ask)
    out = []
    for m in rows:
        theirs = asks.get(m.user_id, [])
        out.append(
            PromoterRow(
                person=m.user,
                role=m.get_role_display(),
                score=m.nps,
                answered_at=m.nps_at,
                last_asked_at=theirs[0].asked_at if theirs else None,
                last_kind=theirs[0].get_kind_display() if theirs else "",
                last_status=theirs[0].get_status_display() if theirs else "",
                block=_block_from(theirs, now),
            )
        )
    return out


def _block_from(asks: list[AdvocacyAsk], now: datetime) -> str | None:
    """:func:`ask_block` from asks already loaded (newest first)."""
    no_window = timedelta(days=settings.ADVOCACY_DECLINED_COOLDOWN_DAYS)
    for ask in asks:
        if (
            ask.status == AskStatus.DECLINED
            and ask.answered_at
            and ask.answered_at >= now - no_window
        ):
            answered = timezone.localtime(ask.answered_at)  # the reader's date, not the server's
            return gettext("said no on {day}: not again before {again}").format(
                day=short_date(answered), again=short_date(answered + no_window)
            )
    cooldown = timedelta(days=settings.ADVOCACY_ASK_COOLDOWN_DAYS)
    if asks and asks[0].asked_at > now - cooldown:
        asked = timezone.localtime(asks[0].asked_at)  # the reader's date, not the server's
        return gettext("was asked on {day}: not again before {again}").format(
            day=short_date(asked), again=short_date(asked + cooldown)
        )
    return None


# The account's advocacy page ----------------------------------------------------------------


def account_asks(account: Account) -> QuerySet[AdvocacyAsk]:
    return AdvocacyAsk.objects.filter(account=account).select_related("person", "asked_by")


def references(account: Account, day: date) -> list[Any]:
    """The account's people who said yes to being a reference, with their calls this quarter
    and whether they are resting (at the cap)."""
    rows = list(
        AdvocacyAsk.objects.filter(
            account=account,
            kind=AskKind.REFERENCE,
            status__in=[AskStatus.ACCEPTED, AskStatus.DONE],
        )
        .annotate(calls=_calls_this_quarter(day))
        .select_related("person")
        .order_by("person__name", "-asked_at")
    )
    seen: set[int] = set()
    out = []
    for ask in rows:
        if ask.person_id in seen:
            continue
        seen.add(ask.person_id)
        ask.resting = is_resting(ask.calls)  # type: ignore[attr-defined]
        out.append(ask)
    return out


def my_open_asks(account: Account, person: User) -> QuerySet[AdvocacyAsk]:
    return AdvocacyAsk.objects.filter(account=account, person=person, status=AskStatus.ASKED)


# The advocacy board ----------------------------------------------------------------------------


def said_yes(accounts: QuerySet[Account]) -> QuerySet[AdvocacyAsk]:
    """Who said yes to what, newest answer first."""
    return (
        AdvocacyAsk.objects.filter(
            account__in=accounts, status__in=[AskStatus.ACCEPTED, AskStatus.DONE]
        )
        .select_related("person", "account")
        .order_by("-answered_at", "-pk")
    )


def advocates(accounts: QuerySet[Account], day: date) -> QuerySet[AdvocacyAsk]:
    """Each yes to a reference, with the advocate's calls this quarter (one query a page)."""
    return (
        AdvocacyAsk.objects.filter(
            account__in=accounts,
            kind=AskKind.REFERENCE,
            status__in=[AskStatus.ACCEPTED, AskStatus.DONE],
        )
        .annotate(calls=_calls_this_quarter(day))
        .annotate(resting=_resting())
        .select_related("person", "account")
        .order_by("calls", "person__name", "pk")
    )


@dataclass(frozen=True)
class AskTotals:
    asked: int
    accepted: int
    declined: int
    open: int

    @property
    def yes_rate(self) -> float | None:
        answered = self.accepted + self.declined
        return self.accepted / answered * 100 if answered else None


def ask_totals(accounts: QuerySet[Account]) -> AskTotals:
    row = AdvocacyAsk.objects.filter(account__in=accounts).aggregate(
        asked=Count("pk"),
        accepted=Count("pk", filter=Q(status__in=[AskStatus.ACCEPTED, AskStatus.DONE])),
        declined=Count("pk", filter=Q(status=AskStatus.DECLINED)),
        open=Count("pk", filter=Q(status=AskStatus.ASKED)),
    )
    return AskTotals(**row)


def referrals_by_status(accounts: QuerySet[Account]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in the pipeline's order."""
    counts = dict(
        Referral.objects.filter(account__in=accounts)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in ReferralStatus.choices]


def referrals(accounts: QuerySet[Account], status: str = "") -> QuerySet[Referral]:
    found = Referral.objects.filter(account__in=accounts).select_related("account", "referred_by")
    return found.filter(status=status) if status else found


def account_referrals(account: Account) -> QuerySet[Referral]:
    return Referral.objects.filter(account=account).select_related("account", "referred_by")


def calls_this_quarter(accounts: QuerySet[Account], day: date) -> int:
    start, end = quarter_of(day)
    return ReferenceCall.objects.filter(account__in=accounts, date__range=(start, end)).count()


def case_studies(accounts: QuerySet[Account]) -> QuerySet[CaseStudy]:
    return CaseStudy.objects.filter(account__in=accounts).select_related("account")


# A case study's prefill ----------------------------------------------------------------------


def objectives_met(account: Account) -> list[dict[str, Any]]:
    """The account's shared objectives whose KPIs all reached their targets, each with its
    results in words ("Reporting time: 48 → 2 hours")."""
    found = (
        Objective.objects.filter(plan__account=account, internal=False)
        .prefetch_related("kpis")
        .order_by("plan__starts_on", "position", "pk")
    )
    out = []
    for objective in found:
        kpis = list(objective.kpis.all())
        if not kpis or not all(k.met for k in kpis):
            continue
        results = [
            f"{k.name}: {_number(k.baseline)} → {_number(k.current)}{f' {k.unit}' if k.unit else ''}"
            for k in kpis
        ]
        out.append({"title": objective.title, "results": results})
    return out


def _number(value: Any) -> str:
    text = f"{value:,.2f}"
    return text.removesuffix(".00")


def quotable_comments(account: Account) -> QuerySet[Response]:
    """Survey comments from the account's people that a case study may quote, once the
    champion allows each: the positive answers' comments, newest first."""
    return (
        Response.objects.filter(account=account)
        .filter(band_filter("kind", "score", Band.POSITIVE))
        .exclude(comment="")
        .select_related("user")
        .order_by("-answered_at", "-pk")[:QUOTABLE_COMMENTS]
    )


def case_study_counts(accounts: QuerySet[Account]) -> dict[str, int]:
    return dict(
        CaseStudy.objects.filter(account__in=accounts)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )


def awaiting_champion(account: Account) -> QuerySet[CaseStudy]:
    return CaseStudy.objects.filter(account=account, status=CaseStudyStatus.SENT)
