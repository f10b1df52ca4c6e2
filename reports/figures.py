"""The figures a PDF prints, gathered once when the PDF is asked for.

Everything here returns plain JSON (strings, numbers, lists, None) in which every word a reader
reads in their language is a token (``reports.words``): ``review_data`` / ``wrapped_data`` are
kept with the version (``Report.snapshot``), and ``review_inputs`` / ``wrapped_inputs`` word
them in the active language (``Report.inputs``, fingerprinted and rendered later by a worker),
so the PDF shows the figures as they were when it was asked for, and a copy in another
language words the very same figures. A feature with no data in the period leaves
its section out (None or an empty list), never a made-up figure. The functions read the other
apps' figures through their own modules (usage, onboarding, plans, surveys, health).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from accounts.models import Account
from insights.figures.health import latest_score, pulled_down
from insights.figures.revenue import year_before
from insights.figures.usage import feature_adoption, latest_activity, weekly_trend
from insights.models import (
    AccountFacts,
    FeatureUsageDay,
    HealthScore,
    ProductUser,
    UsageDay,
    UsageEvent,
)
from onboarding import figures as onboarding_figures
from onboarding.models import Checklist
from successplans.figures import kpi_met, kpi_progress, signoffs_in_period
from successplans.models import (
    KPI,
    ActionItem,
    ActionStatus,
    KPIValue,
    Milestone,
    MilestoneStatus,
    Objective,
    SuccessPlan,
)
from surveys.figures import summarize
from surveys.models import Response
from value.figures import kept as value_kept

from . import words
from .models import DEFAULT_TITLE, Review, WrappedNote, default_title, quarter_of
from .words import choice, formatted, plural, section, text, worded

# Bump when a PDF template or its stylesheet changes: every document then renders anew.
TEMPLATE_VERSION = "2026.12.07.1"
LOGO_MAX_BYTES = 1_000_000
LOGO_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
EARLIEST_YEAR = 2000


class NoReport(ValueError):
    """The document cannot be made for what was asked: the message says why, for the user."""


def fingerprint(inputs: dict[str, Any]) -> str:
    payload = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{TEMPLATE_VERSION}\n{payload}".encode()).hexdigest()


# Formatting: every figure becomes text through portal.formatting, as on the pages -------------


def actions(count: int) -> dict[str, Any]:
    """ "1 action", "2,588 actions"."""
    return plural("actions", count, count=formatted("number", count))


def growth(now: int | Decimal | None, before: int | Decimal | None) -> float | None:
    """Relative change in %, None when there is nothing to compare against."""
    if now is None or not before:
        return None
    return float((Decimal(now) - Decimal(before)) * 100 / Decimal(before))


def day_text(day: date | datetime | None) -> dict[str, Any] | None:
    """A day as the PDFs write it ("30 September 2026"), worded when read (a moment: the day
    it is in the reader's zone)."""
    return words.day(day)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# Branding --------------------------------------------------------------------------------------


def logo_of(account: Account) -> dict[str, str] | None:
    """Which logo file the account has, and a digest of its bytes (so a new logo makes a new
    version); None when there is none, or it is not an image we print, or it cannot be read.
    The bytes themselves are read when the PDF is rendered (see ``rendering.logo_data_uri``)."""
    if not account.logo:
        return None
    mime = mimetypes.guess_type(account.logo.name)[0]
    if mime not in LOGO_TYPES:
        return None
    try:
        if account.logo.size > LOGO_MAX_BYTES:
            return None
        with account.logo.open("rb") as handle:
            digest = hashlib.sha256(handle.read(LOGO_MAX_BYTES + 1)).hexdigest()
    except (OSError, ValueError):
        return None
    return {"name": account.logo.name, "type": mime, "sha256": digest}


def branding(account: Account) -> dict[str, Any]:
    owner = account.owner
    return {
        "account": account.name,
        "slug": account.slug,
        "initial": account.name[:1].upper(),
        "color": account.brand_color or None,
        "logo": logo_of(account),
        "vendor": settings.VENDOR_NAME,
        "vendor_color": settings.VENDOR_COLOR,
        "csm": owner.display_name if owner else None,
        "csm_email": owner.email if owner else None,
    }


# Usage -----------------------------------------------------------------------------------------


def _months(start: date, end: date) -> list[date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _top_features(account: Account, start: date, end: date, limit: int = 5) -> list[dict[str, Any]]:
    rows = (
        FeatureUsageDay.objects.filter(account=account, day__range=(start, end))
        .values("feature")
        .annotate(events=Sum("events"))
        .order_by("-events", "feature")[:limit]
    )
    return [{"feature": r["feature"], "actions": actions(r["events"])} for r in rows]


def _adoption(account: Account, day: date, limit: int = 8) -> list[dict[str, Any]]:
    return [
        {
            "feature": f.feature,
            "users": f.users,
            "share": float(f.adoption * 100) if f.adoption is not None else None,
            "share_text": formatted("rate", f.adoption),
        }
        for f in feature_adoption(account, day)[:limit]
    ]


def year_usage(account: Account, start: date, end: date) -> dict[str, Any] | None:
    """The year's headline usage: active users at its end and against a year before, the peak,
    the busiest month, the most used features, and monthly active users month by month."""
    days = UsageDay.objects.filter(account=account, day__range=(start, end))
    monthly = {
        row["month"]: row
        for row in days.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(mau=Max("monthly_active_users"), events=Sum("events"))
        .order_by("month")
    }
    if not monthly:
        return None
    last = days.order_by("-day").first()
    assert last is not None
    a_year_ago = latest_activity(account, year_before(last.day), within=7)
    busiest = max(monthly.values(), key=lambda r: (r["events"], r["month"]))
    change = growth(last.monthly_active_users, a_year_ago.mau if a_year_ago else None)
    return {
        "mau": formatted("number", last.monthly_active_users),
        "mau_day": day_text(last.day),
        "mau_year_before": text(
            gettext_noop("%(count)s a year earlier"), count=formatted("number", a_year_ago.mau)
        )
        if a_year_ago
        else None,
        "growth": formatted("signed", change, suffix="%"),
        "peak_mau": formatted("number", max(r["mau"] for r in monthly.values())),
        "events": formatted("number", sum(r["events"] for r in monthly.values())),
        "busiest_month": formatted("month_name", busiest["month"]),
        "busiest_events": actions(busiest["events"]),
        "features": _top_features(account, start, end),
        "months": [
            {
                "label": formatted("month_short", month),
                "mau": monthly[month]["mau"] if month in monthly else None,
            }
            for month in _months(start, end)
        ],
    }


def most_active_people(
    account: Account, start: date, end: date, limit: int = 5
) -> list[dict[str, Any]]:
    """The product users with the most activity in the period, by name (users the product
    sent without a name or e-mail are counted but not named)."""
    rows = list(
        UsageEvent.objects.filter(account=account, day__range=(start, end))
        .values("user_key")
        .annotate(events=Sum("count"), days=Count("day", distinct=True))
        .order_by("-events", "user_key")[: limit * 3]
    )
    names = {
        u.external_id: u.name or u.email
        for u in ProductUser.objects.filter(
            account=account, external_id__in=[r["user_key"] for r in rows]
        )
    }
    people = [
        {
            "name": names[r["user_key"]],
            "activity": plural(
                "actions_on_days",
                r["days"],
                actions=actions(r["events"]),
                count=formatted("number", r["days"]),
            ),
        }
        for r in rows
        if names.get(r["user_key"])
    ]
    return people[:limit]


def period_usage(account: Account, start: date, end: date) -> dict[str, Any] | None:
    """Usage for a review: the figures at the period's end and the weekly trend."""
    now = latest_activity(account, end, within=(end - start).days + 1)
    if now is None:
        return None
    weeks = weekly_trend(account, start, end)
    return {
        "day": day_text(now.day),
        "dau": formatted("number", now.dau),
        "wau": formatted("number", now.wau),
        "mau": formatted("number", now.mau),
        "mau_value": now.mau,
        "stickiness": formatted("rate", now.stickiness),
        "seats": formatted("number", now.licensed_seats) if now.licensed_seats else None,
        "seat_use": formatted("rate", now.seat_use),
        "weeks": [
            {"label": formatted("day_month", w.week), "wau": w.wau, "mau": w.mau} for w in weeks
        ],
        "adoption": _adoption(account, now.day),
    }


# Onboarding, plans and surveys -----------------------------------------------------------------


def onboarding(account: Account, start: date, end: date) -> dict[str, Any] | None:
    """The onboarding, if it ran in the period: its dates, progress and time to value."""
    checklist = Checklist.objects.filter(account=account, kickoff_date__lte=end).first()
    if checklist is None:
        return None
    completed = (
        timezone.localtime(checklist.completed_at).date() if checklist.completed_at else None
    )
    if completed is not None and completed < start:
        return None  # finished before the period: nothing to report for it
    progress = onboarding_figures.progress_at(checklist, _end_of(end))
    before = onboarding_figures.progress_at(checklist, _start_of(start))
    value_day = (
        timezone.localtime(checklist.value_reached_at).date()
        if checklist.value_reached_at
        else None
    )
    reached = value_day is not None and value_day <= end
    days_to_value = onboarding_figures.time_to_value(checklist)
    return {
        "name": checklist.template_name or text(gettext_noop("Onboarding")),
        "kickoff": day_text(checklist.kickoff_date),
        "completed": day_text(checklist.completed_at) if completed and completed <= end else None,
        "time_to_value": _days(days_to_value) if reached and days_to_value is not None else None,
        "value_reached": day_text(checklist.value_reached_at) if reached else None,
        "tasks_total": progress.total,
        "tasks_done": progress.done,
        "tasks_done_in_period": progress.done - before.done,
        "percent": formatted("percent", progress.percent),
    }


def _kpi_values_at(kpis: Iterable[KPI], day: date) -> dict[int, Decimal]:
    """Each KPI's value as it stood at the end of ``day`` (its last recorded value)."""
    values: dict[int, Decimal] = {}
    history = KPIValue.objects.filter(kpi__in=list(kpis), recorded_at__lt=_end_of(day))
    for kpi_id, value in history.order_by("recorded_at", "pk").values_list("kpi_id", "value"):
        values[kpi_id] = value
    return values


def objectives(account: Account, start: date, end: date) -> list[dict[str, Any]]:
    """Shared objectives of the plans running in the period, with each KPI against its target
    as it stood at the period's end."""
    plans = SuccessPlan.objects.filter(account=account, starts_on__lte=end, ends_on__gte=start)
    kpis = list(
        KPI.objects.filter(objective__plan__in=plans, objective__internal=False)
        .select_related("objective", "objective__plan", "objective__owner")
        .order_by("objective__plan__starts_on", "objective__position", "objective__pk", "position")
    )
    values = _kpi_values_at(kpis, end)
    shown: dict[int, dict[str, Any]] = {}
    for objective in (
        Objective.objects.filter(plan__in=plans, internal=False)
        .select_related("plan", "owner")
        .order_by("plan__starts_on", "position", "pk")
    ):
        shown[objective.pk] = {
            "title": objective.title,
            "plan": objective.plan.name,
            "owner": objective.owner.display_name if objective.owner else None,
            "target_date": day_text(objective.target_date),
            "kpis": [],
        }
    for kpi in kpis:
        value = values.get(kpi.pk)
        progress = kpi_progress(kpi.baseline, kpi.target, value)
        shown[kpi.objective_id]["kpis"].append(
            {
                "name": kpi.name,
                "baseline": formatted("measure", kpi.baseline, kpi.unit),
                "target": formatted("measure", kpi.target, kpi.unit),
                "value": formatted("measure", value, kpi.unit),
                "raw": str(value) if value is not None else None,
                "progress": progress,
                "met": kpi_met(kpi.baseline, kpi.target, value),
            }
        )
    return list(shown.values())


def milestones(
    account: Account, start: date, end: date, today: date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Shared milestones reached in the period, missed (as of ``today``), and due in the next
    one."""
    rows = Milestone.objects.filter(plan__account=account, internal=False).order_by(
        "target_date", "pk"
    )
    length = (end - start).days + 1
    done = rows.filter(
        status=MilestoneStatus.DONE, done_at__gte=_start_of(start), done_at__lt=_end_of(end)
    )
    # Missed: due in the period, before today (one due later this week is not missed yet).
    due_by = min(end, (today or timezone.localdate()) - timedelta(days=1))
    missed = rows.exclude(status=MilestoneStatus.DONE).filter(target_date__range=(start, due_by))
    coming = rows.exclude(status=MilestoneStatus.DONE).filter(
        target_date__gt=end, target_date__lte=end + timedelta(days=length)
    )

    def item(m: Milestone, when: date | datetime | None) -> dict[str, Any]:
        return {"title": m.title, "date": day_text(when), "side": choice(m, "owner_side")}

    return {
        "done": [item(m, m.done_at) for m in done],
        "missed": [item(m, m.target_date) for m in missed],
        "coming": [item(m, m.target_date) for m in coming],
    }


def signoffs(account: Account, start: date, end: date) -> list[dict[str, Any]]:
    """The sign-offs of the period: those decided in it (who, when, why a rejection) and those
    still waiting at its end."""

    def when(moment: datetime | None) -> dict[str, Any] | None:
        return day_text(moment)

    return [
        {
            "title": s.milestone.title,
            "status": s.status,
            "status_label": choice(s, "status"),
            "asked": when(s.requested_at),
            "by": s.decided_by.display_name if s.decided_by else None,
            "decided": when(s.decided_at),
            "reason": s.reason,
        }
        for s in signoffs_in_period(account, start, end)
    ]


def next_actions(
    account: Account, end: date, limit: int = 12, today: date | None = None
) -> list[dict[str, Any]]:
    """Shared action items still open, soonest due first; overdue as of the period's end (or
    ``today``, for a period still running)."""
    end = min(end, today or timezone.localdate())
    rows = (
        ActionItem.objects.filter(plan__account=account, internal=False)
        .exclude(status=ActionStatus.DONE)
        .select_related("assignee")
        .order_by("due_date", "pk")[:limit]
    )
    return [
        {
            "title": a.title,
            "side": choice(a, "side"),
            "who": a.assignee.display_name if a.assignee else None,
            "due": day_text(a.due_date),
            "overdue": a.due_date is not None and a.due_date < end,
        }
        for a in rows
    ]


def surveys(account: Account, start: date, end: date) -> dict[str, Any] | None:
    responses = Response.objects.filter(
        account=account, answered_at__gte=_start_of(start), answered_at__lt=_end_of(end)
    )
    summary = summarize(responses)
    if not summary.responses:
        return None
    people = responses.order_by().values("user").distinct().count()
    return {
        "responses": summary.responses,
        "people": people,
        "nps": {
            "score": formatted("signed", summary.nps.score),
            "n": summary.nps.responses,
            "note": _answers(summary.nps.responses),
        }
        if summary.nps.responses
        else None,
        "csat": {
            "score": formatted("percent", summary.csat.score),
            "n": summary.csat.responses,
            "note": _answers(summary.csat.responses),
        }
        if summary.csat.responses
        else None,
        "ces": {
            "score": formatted("number", summary.ces.score, 1),
            "easy": formatted("percent", summary.ces.easy_percent),
            "n": summary.ces.responses,
            "note": text(
                gettext_noop("%(percent)s found it easy, %(answers)s"),
                percent=formatted("percent", summary.ces.easy_percent),
                answers=_answers(summary.ces.responses),
            ),
        }
        if summary.ces.responses
        else None,
    }


def _answers(count: int) -> dict[str, Any]:
    return plural("answers", count, count=formatted("number", count))


def _days(count: int) -> dict[str, Any]:
    return plural("days", count, count=formatted("number", count))


# Health ----------------------------------------------------------------------------------------


def health_at(account: Account, day: date) -> HealthScore | None:
    return latest_score(account, day)


# The CSM's pulse and its note are the vendor's own: never printed for the customer.
VENDOR_ONLY_PARTS = frozenset({"pulse"})


def customers_see_health(account: Account) -> bool:
    """The CSM's choice on the 360° page: customers see health only when it is on."""
    return AccountFacts.objects.filter(account=account, customers_see_health=True).exists()


def health(account: Account, start: date, end: date) -> dict[str, Any] | None:
    """The score at the period's end, its parts and history; None when the account's customers
    are not shown their health (the CSM decides), or there is no score."""
    if not customers_see_health(account):
        return None
    score = health_at(account, end)
    if score is None or score.day < start - timedelta(days=31):
        return None
    shown = {n: p for n, p in score.parts.items() if n not in VENDOR_ONLY_PARTS}
    history = HealthScore.objects.filter(account=account, day__range=(start, end)).order_by("day")
    return {
        "score": score.score,
        "band": choice(score, "band"),
        "band_key": score.band,
        "day": day_text(score.day),
        "parts": [
            {
                "label": words.part(name),
                "score": part["score"],
                "weight": part["weight"],
                "why": words.stored(part.get("why")),
            }
            for name, part in shown.items()
        ],
        "drags": [
            {
                "label": words.part(d.part),
                "why": words.stored(d.stored_why),
                "points": d.points_lost,
            }
            for d in pulled_down(score.parts)
            if d.part not in VENDOR_ONLY_PARTS
        ],
        "history": [{"label": formatted("day_month", h.day), "score": h.score} for h in history],
    }


# The documents ---------------------------------------------------------------------------------


def wrapped_inputs(account: Account, year: int, today: date | None = None) -> dict[str, Any]:
    """Everything the account's Wrapped for ``year`` prints, in the active language."""
    return worded(wrapped_data(account, year, today))


def wrapped_data(account: Account, year: int, today: date | None = None) -> dict[str, Any]:
    """What :func:`wrapped_inputs` prints as language-neutral data (``reports.words``): what
    a version keeps, so each language's copy words the same figures."""
    today = today or timezone.localdate()
    if year > today.year:
        raise NoReport(
            gettext("%(year)s has not happened yet: there is nothing to wrap up.") % {"year": year}
        )
    if year < EARLIEST_YEAR:
        raise NoReport(
            gettext("Choose a year from %(EARLIEST_YEAR)s on.") % {"EARLIEST_YEAR": EARLIEST_YEAR}
        )
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    note = WrappedNote.objects.filter(account=account, year=year).first()
    usage = year_usage(account, start, end)
    onboarding_year = onboarding(account, start, end)
    plan_outcomes = objectives(account, start, end)
    reached = milestones(account, start, end)["done"]
    answered = surveys(account, start, end)
    people = most_active_people(account, start, end)
    value = value_kept(account, end)  # the value app's shared KPIs at the year's end
    return {
        "kind": "wrapped",
        "year": year,
        "period": {"start": day_text(start), "end": day_text(end)},
        "complete": end == date(year, 12, 31),
        "brand": branding(account),
        "usage": usage,
        "people": people,
        "onboarding": onboarding_year,
        "objectives": plan_outcomes,
        "milestones": reached,
        "surveys": answered,
        "note": note.body if note and note.body.strip() else None,
        "value": section("value", value),
        "empty": not any((usage, onboarding_year, plan_outcomes, reached, answered, value)),
    }


def previous_review(review: Review) -> Review | None:
    return (
        Review.objects.filter(
            account=review.account_id,
            published_at__isnull=False,
            period_end__lt=review.period_end,
        )
        .exclude(pk=review.pk)
        .order_by("-period_end", "-pk")
        .first()
    )


def changes_since(
    review: Review, previous: Review | None, today: date | None = None
) -> dict[str, Any] | None:
    """What moved between the previous review's period end and this one's: KPIs, health and
    active users, each as before → now."""
    if previous is None:
        return None
    account, before = review.account, previous.period_end
    # A period still running: as of today.
    now = min(review.period_end, today or timezone.localdate())
    rows: list[dict[str, Any]] = []
    old, new = health_at(account, before), health_at(account, now)
    if old and new and customers_see_health(account):
        rows.append(
            {
                "what": text(gettext_noop("Health score")),
                "before": formatted("number", old.score),
                "now": formatted("number", new.score),
                "change": formatted("signed", new.score - old.score),
                "direction": _direction(new.score - old.score),
            }
        )
    old_usage = latest_activity(account, before, within=31)
    new_usage = latest_activity(account, now, within=31)
    if old_usage and new_usage:
        delta = new_usage.mau - old_usage.mau
        rows.append(
            {
                "what": text(gettext_noop("Monthly active users")),
                "before": formatted("number", old_usage.mau),
                "now": formatted("number", new_usage.mau),
                "change": formatted("signed", delta),
                "direction": _direction(delta),
            }
        )
    plans = SuccessPlan.objects.filter(account=account, starts_on__lte=now, ends_on__gte=before)
    kpis = list(KPI.objects.filter(objective__plan__in=plans, objective__internal=False))
    then, current = _kpi_values_at(kpis, before), _kpi_values_at(kpis, now)
    for kpi in kpis:
        if kpi.pk in then and kpi.pk in current:
            moved = current[kpi.pk] - then[kpi.pk]
            towards = moved * (1 if kpi.target > kpi.baseline else -1)
            rows.append(
                {
                    "what": kpi.name,
                    "before": formatted("measure", then[kpi.pk], kpi.unit),
                    "now": formatted("measure", current[kpi.pk], kpi.unit),
                    "change": formatted("measure_change", moved, kpi.unit),
                    "direction": _direction(towards),
                }
            )
    return {"since": previous.title, "since_end": day_text(before), "rows": rows}


def _direction(delta: float | Decimal | int) -> str:
    return "better" if delta > 0 else "worse" if delta < 0 else "same"


def review_inputs(review: Review, today: date | None = None) -> dict[str, Any]:
    """Everything a business review prints, for its period, as of ``today`` (the day the
    figures of a period still running stop, a milestone counts as missed, an action overdue),
    in the active language."""
    return worded(review_data(review, today))


def title_data(review: Review) -> str | dict[str, Any]:
    """The review's title as :attr:`Review.title_text` reads it: the default title worded in
    each reader's language, a title the CSM wrote as written."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if review.title == default_title(review.period_start):
                start = review.period_start
                return text(DEFAULT_TITLE, quarter=(start.month - 1) // 3 + 1, year=start.year)
    return review.title


def review_data(review: Review, today: date | None = None) -> dict[str, Any]:
    """What :func:`review_inputs` prints as language-neutral data (``reports.words``): what
    a version keeps, so each language's copy words the same figures."""
    today = today or timezone.localdate()
    account, start, end = review.account, review.period_start, review.period_end
    length = (end - start).days + 1
    return {
        "kind": "review",
        "review": {
            "title": title_data(review),
            "kind": review.kind,
            "kind_label": choice(review, "kind"),
            "slug": review.period_slug,
            "summary": review.summary,
            "risks": review.risks,
            "recommendations": review.recommendations,
        },
        "period": {
            "start": day_text(start),
            "end": day_text(end),
            "days": length,
            "next_end": day_text(end + timedelta(days=length)),
        },
        "brand": branding(account),
        "changes": changes_since(review, previous_review(review), today),
        "objectives": objectives(account, start, end),
        "milestones": milestones(account, start, end, today),
        "usage": period_usage(account, start, end),
        "onboarding": onboarding(account, start, end),
        "health": health(account, start, end),
        "surveys": surveys(account, start, end),
        "actions": next_actions(account, end, today=today),
        # Value realized (value.figures): the shared value KPIs at the period's end.
        "value": section("value", value_kept(account, min(end, today))),
        "signoffs": signoffs(account, start, end),
    }


def as_published(report_inputs: dict[str, Any], review: Review) -> Review:
    """``review`` as a version of it was made from ``report_inputs`` (a copy, never saved): the
    title, kind, period and texts that version prints, whatever the review says since. A
    version in another language is gathered from it, so the two never disagree."""
    stored = report_inputs.get("review") or {}
    copy = Review(
        pk=review.pk,
        account=review.account,
        created_by_id=review.created_by_id,
        published_at=review.published_at,
        title=stored.get("title", review.title),
        kind=stored.get("kind", review.kind),
        summary=stored.get("summary", review.summary),
        risks=stored.get("risks", review.risks),
        recommendations=stored.get("recommendations", review.recommendations),
        period_start=review.period_start,
        period_end=review.period_end,
    )
    period = period_of_slug(str(stored.get("slug") or ""))
    if period is not None:
        copy.period_start, copy.period_end = period
    return copy


def period_of_slug(slug: str) -> tuple[date, date] | None:
    """The period a :attr:`Review.period_slug` names (``2026-q3``, ``2026-07-01-to-2026-08-15``);
    None for anything else."""
    try:
        if "-q" in slug:
            year, quarter = slug.split("-q")
            return quarter_of(date(int(year), 3 * (int(quarter) - 1) + 1, 1))
        start, end = slug.split("-to-")
        return date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return None


def next_review_due(review: Review) -> date:
    """When the review after ``review`` falls due: the end of a period as long as its own,
    straight after it (what its PDF prints as the next period's end)."""
    length = (review.period_end - review.period_start).days + 1
    return review.period_end + timedelta(days=length)
