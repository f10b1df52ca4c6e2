"""The health score: 0-100 from weighted parts, explaining itself. It is stored as daily
history by :mod:`insights.services.health`; this module only computes.

Each part scores 0-100 and says why; a part with no data is left out and the weights of the
others re-normalised (never a made-up value):

- usage: MAU against licensed seats (capped at 100); without seats, MAU against the account's
  own peak MAU of the last 90 days. No roll-up ever: no data. No activity in 30 days: 0.
- sentiment: the account's NPS over the last 180 days mapped from -100..+100 to 0..100.
- onboarding (when a checklist exists): share of required tasks not overdue; 100 once done.
- plan (when a plan runs on the day): on track 100, at risk 50, off track 0 (the CSM's
  override, else the computed health).
- renewal (when a renewal date is set), see :func:`renewal_part`: far away is good, near
  with low usage is bad.
- pulse (when the CSM set one): good 100, neutral 50, concerned 0.
- comments (weight 0 unless a CS admin sets one): the average sentiment of the customer's
  English comments over the last 180 days (:func:`sentiment.figures.average`, -1..1) mapped
  to 0..100. Comments in other languages are never scored, so never count.

score = sum(part score x weight) / sum(weights of the parts present), rounded half up. Bands from
:class:`HealthConfig`: healthy from ``healthy_from``, at risk from ``at_risk_from``, else
critical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Choices, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext_lazy

from accounts.models import Account
from onboarding.figures import summary as onboarding_summary
from onboarding.models import Checklist
from portal import formatting
from portal.charts import line_chart
from portal.formatting import rounded
from portal.i18n import StoredText, read_stored, stored_number, stored_text
from sentiment.figures import average as comment_average
from successplans.figures import current_plan, plan_health_on, sparkline
from successplans.models import PlanHealth
from surveys.figures import nps
from surveys.models import Kind, Response

from ..models import AccountFacts, HealthBand, HealthConfig, HealthScore, UsageDay

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PARTS: dict[str, StrOrPromise] = {
    "usage": gettext_lazy("Usage"),
    "sentiment": gettext_lazy("Survey sentiment"),
    "onboarding": gettext_lazy("Onboarding"),
    "plan": gettext_lazy("Success plan"),
    "renewal": gettext_lazy("Renewal"),
    "pulse": gettext_lazy("CSM pulse"),
    "comments": gettext_lazy("Comment sentiment"),
}
SENTIMENT_DAYS = 180
USAGE_PEAK_DAYS = 90
ROLL_UP_LAG_DAYS = 2  # tonight's roll-up may not have run when the score is computed

# Renewal proximity (see renewal_part).
RENEWAL_FAR_DAYS = 90
RENEWAL_NEAR_GOOD_USAGE = 50
RENEWAL_SCORES = {"far": 100, "near_good_usage": 70, "near": 50, "near_low_usage": 20}

PLAN_SCORES = {PlanHealth.ON_TRACK: 100, PlanHealth.AT_RISK: 50, PlanHealth.OFF_TRACK: 0}
PULSE_SCORES = {
    AccountFacts.Pulse.GOOD: 100,
    AccountFacts.Pulse.NEUTRAL: 50,
    AccountFacts.Pulse.CONCERNED: 0,
}


@dataclass(frozen=True)
class Part:
    """A part's score and why: a stored text (:class:`portal.i18n.StoredText`), worded when read
    in the reader's language (:func:`portal.i18n.read_stored`); a plain string is shown as is."""

    score: int
    why: StoredText | str


@dataclass(frozen=True)
class RegisteredPart:
    """A part another app adds (:func:`register_part`): insights calls it, never imports it."""

    label: StrOrPromise
    compute: Callable[[Account, date], Part | None]
    default_weight: int


REGISTERED: dict[str, RegisteredPart] = {}


def register_part(
    name: str, label: StrOrPromise, *, default_weight: int = 0
) -> Callable[[Callable[[Account, date], Part | None]], Callable[[Account, date], Part | None]]:
    """Add a part, from the registering app's ``AppConfig.ready``:

        @register_part("training", "Training", default_weight=10)
        def training_part(account, day) -> Part | None: ...

    Its weight is ``HealthConfig.extra_weights[name]`` once a CS admin sets one, else
    ``default_weight``; like every part, no data (None) leaves it out. Its why, like every
    part's, is a stored text (``portal.i18n.stored_text``), so that each reader reads it in
    their language."""

    def decorator(
        function: Callable[[Account, date], Part | None],
    ) -> Callable[[Account, date], Part | None]:
        PARTS[name] = label
        REGISTERED[name] = RegisteredPart(label, function, default_weight)
        return function

    return decorator


def _clamp(value: float | Decimal) -> int:
    return max(0, min(100, int(rounded(value))))


def _label(choices: type[Choices], value: str) -> StoredText:
    """A choice's label as a stored text (its message id, translated when read), starting with a
    small letter as it reads inside a sentence."""
    return stored_text(dict(choices.choices)[value]).lowered()  # the lazy label, not its text


# The parts -----------------------------------------------------------------------------------
# Each says why as a stored text: the English message and its values, numbers kept as numbers
# (written when read, as the reader writes them).


def usage_part(account: Account, day: date, facts: AccountFacts | None) -> Part | None:
    days = UsageDay.objects.filter(account=account, day__lte=day)
    if not days.exists():
        return None
    row = days.filter(day__gt=day - timedelta(ROLL_UP_LAG_DAYS)).order_by("-day").first()
    mau = row.monthly_active_users if row else 0
    seats = facts.licensed_seats if facts else None
    if seats:
        share = 100 * mau / seats
        return Part(
            _clamp(share),
            stored_text(
                gettext_noop("MAU is %(share)s of seats (%(mau)s of %(seats)s)"),
                share=stored_number(share, "percent"),
                mau=stored_number(mau),
                seats=stored_number(seats),
            ),
        )
    peak = days.filter(day__gt=day - timedelta(USAGE_PEAK_DAYS)).aggregate(
        peak=Max("monthly_active_users")
    )["peak"]
    if not peak:
        return Part(0, stored_text(gettext_noop("No active users in the last 30 days")))
    share = 100 * mau / peak
    return Part(
        _clamp(share),
        stored_text(
            gettext_noop("MAU is %(share)s of its 90-day peak (%(mau)s of %(peak)s)"),
            share=stored_number(share, "percent"),
            mau=stored_number(mau),
            peak=stored_number(peak),
        ),
    )


def sentiment_part(account: Account, day: date) -> Part | None:
    until = timezone.make_aware(datetime.combine(day + timedelta(1), time.min))
    responses = Response.objects.filter(
        account=account,
        kind=Kind.NPS,
        answered_at__gte=until - timedelta(SENTIMENT_DAYS),
        answered_at__lt=until,
    )
    result = nps(responses)
    if result.score is None:
        return None
    return Part(
        _clamp((result.score + 100) / 2),
        stored_text(
            ngettext_lazy(
                "NPS %(score)s from %(count)s answer in 180 days",
                "NPS %(score)s from %(count)s answers in 180 days",
                "count",
            ),
            score=stored_number(result.score, "signed"),
            count=stored_number(result.responses),
        ),
    )


def onboarding_part(account: Account, day: date) -> Part | None:
    checklist = Checklist.objects.filter(account=account).first()
    if checklist is None:
        return None
    figures = onboarding_summary(checklist, day)
    progress = figures.progress
    if not progress.total:
        return None
    if figures.is_completed:
        return Part(100, stored_text(gettext_noop("Onboarding completed")))
    score = _clamp(100 * (progress.total - figures.overdue) / progress.total)
    late = (
        stored_text(gettext_noop("%(count)s overdue"), count=stored_number(figures.overdue))
        if figures.overdue
        else stored_text(gettext_noop("none overdue"))
    )
    done = stored_text(
        ngettext_lazy(
            "%(done)s of %(total)s required task done",
            "%(done)s of %(total)s required tasks done",
            "total",
        ),
        done=stored_number(progress.done),
        total=stored_number(progress.total),
    )
    return Part(
        score,
        stored_text(
            gettext_noop("%(done)s (%(percent)s), %(late)s"),
            done=done,
            percent=stored_number(progress.percent or 0, "percent"),
            late=late,
        ),
    )


def plan_part(account: Account, day: date) -> Part | None:
    plan = current_plan(account, day)
    if plan is None:
        return None
    health = plan_health_on(plan, day)
    how = (
        gettext_noop("set by the CSM")
        if plan.health_override
        else gettext_noop("from milestones and KPIs")
    )
    return Part(
        PLAN_SCORES[PlanHealth(health)],
        stored_text(
            gettext_noop("“%(plan)s” is %(health)s (%(how)s)"),
            plan=plan.name,
            health=_label(PlanHealth, health),
            how=stored_text(how),
        ),
    )


def renewal_part(account: Account, day: date, usage: Part | None) -> Part | None:
    """100 when the renewal is 90 days or more away. Nearer (or passed without a new date),
    it depends on usage: 70 with usage at 50 or more, 20 with usage below that, 50 when usage
    is unknown."""
    if account.renewal_date is None:
        return None
    days = (account.renewal_date - day).days
    when = (
        stored_text(
            ngettext_lazy("Renewal in %(days)s day", "Renewal in %(days)s days", "days"),
            days=stored_number(days),
        )
        if days >= 0
        else stored_text(
            ngettext_lazy(
                "Renewal date passed %(days)s day ago",
                "Renewal date passed %(days)s days ago",
                "days",
            ),
            days=stored_number(-days),
        )
    )
    if days >= RENEWAL_FAR_DAYS:
        return Part(RENEWAL_SCORES["far"], when)
    if usage is None:
        return Part(
            RENEWAL_SCORES["near"], stored_text(gettext_noop("%(when)s, usage unknown"), when=when)
        )
    if usage.score >= RENEWAL_NEAR_GOOD_USAGE:
        return Part(
            RENEWAL_SCORES["near_good_usage"],
            stored_text(gettext_noop("%(when)s, usage is healthy"), when=when),
        )
    return Part(
        RENEWAL_SCORES["near_low_usage"],
        stored_text(gettext_noop("%(when)s with low usage"), when=when),
    )


def pulse_part(facts: AccountFacts | None) -> Part | None:
    if facts is None or not facts.pulse:
        return None
    pulse = AccountFacts.Pulse(facts.pulse)
    why = stored_text(
        gettext_noop("The CSM's pulse: %(pulse)s"), pulse=_label(AccountFacts.Pulse, pulse)
    )
    if facts.pulse_note:  # the CSM's own words, as they wrote them
        why = stored_text(gettext_noop("%(pulse)s (%(note)s)"), pulse=why, note=facts.pulse_note)
    return Part(PULSE_SCORES[pulse], why)


def comments_part(account: Account, day: date) -> Part | None:
    result = comment_average(account, day, SENTIMENT_DAYS)
    if result.value is None:
        return None
    return Part(
        _clamp((result.value + 1) * 50),
        stored_text(
            ngettext_lazy(
                "Average sentiment %(value)s from %(count)s comment in 180 days",
                "Average sentiment %(value)s from %(count)s comments in 180 days",
                "count",
            ),
            value=stored_number(result.value, "signed", 2),
            count=stored_number(result.scored),
        ),
    )


def parts_of(account: Account, day: date) -> dict[str, Part]:
    """Every part that has data for ``account`` on ``day``."""
    facts = AccountFacts.objects.filter(account=account).first()
    usage = usage_part(account, day, facts)
    found: dict[str, Part | None] = {
        "usage": usage,
        "sentiment": sentiment_part(account, day),
        "onboarding": onboarding_part(account, day),
        "plan": plan_part(account, day),
        "renewal": renewal_part(account, day, usage),
        "pulse": pulse_part(facts),
        "comments": comments_part(account, day),
    }
    for name, registered in REGISTERED.items():
        found[name] = registered.compute(account, day)
    return {name: part for name, part in found.items() if part is not None}


# The score -----------------------------------------------------------------------------------


def latest_score(account: Account, on: date | None = None) -> HealthScore | None:
    """The account's health score as every surface shows it: the newest daily score on or
    before ``on`` (today by default). The book of business annotates the same with
    ``figures.book.with_health``."""
    scores = HealthScore.objects.filter(account=account)
    if on is not None:
        scores = scores.filter(day__lte=on)
    return scores.order_by("-day").first()


def latest_scores(accounts: QuerySet[Account], on: date) -> dict[int, HealthScore]:
    """:func:`latest_score` of each of ``accounts`` on ``on`` (those ever scored), by account
    id, in one query."""
    newest = (
        HealthScore.objects.filter(account=OuterRef("account"), day__lte=on)
        .order_by("-day")
        .values("pk")[:1]
    )
    rows = HealthScore.objects.filter(
        account__in=accounts.order_by().values("pk"), pk=Subquery(newest)
    ).order_by()
    return {row.account_id: row for row in rows}


def part_score(score: HealthScore, part: str) -> int | None:
    """One part's score in a stored health score; None when the part had no data that day."""
    found = (score.parts or {}).get(part)
    return None if not isinstance(found, dict) else found.get("score")


def part_last_not_below(
    accounts: QuerySet[Account], part: str, below: int, until: date
) -> dict[int, date]:
    """For each of ``accounts``, the last day on or before ``until`` its stored score had
    ``part`` at ``below`` or more, or no such part (:func:`part_score` not below ``below``).
    Accounts with the part below on every scored day are missing. One query."""
    if part not in PARTS:
        raise ValueError(f"no health part {part!r}")
    fine = Q(**{f"parts__{part}__score__gte": below}) | Q(**{f"parts__{part}__isnull": True})
    rows = (
        HealthScore.objects.filter(account__in=accounts.order_by().values("pk"), day__lte=until)
        .filter(fine)
        .order_by()
        .values("account_id")
        .annotate(last=Max("day"))
        .values_list("account_id", "last")
    )
    return dict(rows)


def score_history(
    accounts: QuerySet[Account], start: date, end: date
) -> dict[int, dict[date, int]]:
    """Each of ``accounts``' stored scores from ``start`` to ``end``, by account id then day.
    One query."""
    rows = HealthScore.objects.filter(
        account__in=accounts.order_by().values("pk"), day__range=(start, end)
    ).values_list("account_id", "day", "score")
    history: dict[int, dict[date, int]] = {}
    for account_id, day, score in rows:
        history.setdefault(account_id, {})[day] = score
    return history


def weights(config: HealthConfig) -> dict[str, int]:
    extra = config.extra_weights or {}
    return {
        name: int(extra.get(name, REGISTERED[name].default_weight))
        if name in REGISTERED
        else getattr(config, f"{name}_weight")
        for name in PARTS
    }


def band(score: int, config: HealthConfig) -> str:
    if score >= config.healthy_from:
        return HealthBand.HEALTHY
    if score >= config.at_risk_from:
        return HealthBand.AT_RISK
    return HealthBand.CRITICAL


@dataclass(frozen=True)
class Health:
    score: int
    band: str
    # {part: {"score": int, "weight": int, "why": a stored text's JSON (StoredText.as_json)}}
    parts: dict[str, dict[str, Any]]


def combine(parts: dict[str, Part], config: HealthConfig) -> Health | None:
    """Weigh the parts present (weight 0 leaves a part out); None when none is left."""
    configured = weights(config)
    used = {name: part for name, part in parts.items() if configured[name] > 0}
    total = sum(configured[name] for name in used)
    if not total:
        return None
    score = int(
        rounded(Decimal(sum(p.score * configured[name] for name, p in used.items())) / total)
    )
    return Health(
        score=score,
        band=band(score, config),
        parts={
            name: {"score": part.score, "weight": configured[name], "why": stored_why(part.why)}
            for name, part in used.items()
        },
    )


def stored_why(why: StoredText | str) -> dict[str, Any] | str:
    """A part's why as a stored score keeps it: a stored text's JSON, never words (a plain
    string, from a part another app words itself, as it is)."""
    return why.as_json() if isinstance(why, StoredText) else str(why)


def part_why(stored: Any) -> str:
    """A stored part's why in the active language (the reader's). A score stored before whys
    were kept as stored texts has words, in its account's language: shown as they are."""
    return read_stored(stored)


# Explaining a score --------------------------------------------------------------------------


@dataclass(frozen=True)
class Drag:
    """A part that pulled the score down, and by how many points; ``stored_why`` as the score
    keeps it, :attr:`why` in the active language."""

    part: str
    label: StrOrPromise
    score: int
    stored_why: Any
    points_lost: int

    @property
    def why(self) -> str:
        return part_why(self.stored_why)


def pulled_down(parts: dict[str, dict[str, Any]], below: int | None = None) -> list[Drag]:
    """The parts scoring under ``below`` (the healthy threshold by default), the costliest
    first: a part's cost is its share of the weights x (100 - its score)."""
    threshold = HealthConfig.current().healthy_from if below is None else below
    total = sum(p["weight"] for p in parts.values()) or 1
    drags = [
        Drag(
            part=name,
            label=PARTS.get(name, name),
            score=p["score"],
            stored_why=p.get("why", ""),
            points_lost=int(rounded(Decimal(p["weight"] * (100 - p["score"])) / total)),
        )
        for name, p in parts.items()
        if p["score"] < threshold
    ]
    return sorted(drags, key=lambda d: (-d.points_lost, d.score, d.part))


def explain(score: HealthScore, below: int | None = None) -> list[Drag]:
    """Which parts pulled a stored score down (see :func:`pulled_down`)."""
    return pulled_down(score.parts, below)


def health_summary(history: list[HealthScore]) -> dict[str, Any]:
    """The latest score's parts (labelled, lowest first, with what each cost, each why in the
    active language) and the history as a chart, for the 360° page."""
    if not history:
        return {"health": None}
    latest = history[-1]
    drags = {d.part: d for d in explain(latest)}
    parts = sorted(
        (
            (PARTS.get(name, name), {**part, "why": part_why(part.get("why"))}, drags.get(name))
            for name, part in latest.parts.items()
        ),
        key=lambda row: row[1]["score"],
    )
    chart = line_chart(
        [(formatting.day_month(h.day), float(h.score)) for h in history],
        title=gettext("Health score, day by day"),
        y_max=100,
    )
    return {
        "health": latest,
        "health_parts": parts,
        "health_drags": list(drags.values()),
        "health_chart": chart,
    }


TREND_DAYS = 90


def health_trend(account: Account, today: date, days: int = TREND_DAYS) -> dict[str, Any]:
    """The last ``days`` of stored scores as a small trend, the latest band, and how the score
    moved over the period (one query): the executive's home, when the CSM shares health."""
    history = list(
        HealthScore.objects.filter(
            account=account, day__range=(today - timedelta(days=days), today)
        )
        .order_by("day")
        .only("day", "score", "band")
    )
    if not history:
        return {"latest": None}
    first, latest = history[0], history[-1]
    moved = latest.score - first.score
    return {
        "latest": latest,
        "since": first.day,
        "moved": moved,
        "moved_by": abs(moved),
        "points": sparkline([Decimal(h.score) for h in history], width=180, height=40),
        "days": len(history),
    }
