"""Signals about the health score: fallen in 7 days, a part below a threshold. Both read the
stored daily scores (:mod:`insights.figures.health`), so the scan runs after the night's
scores (see the beat schedule)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from insights.figures.health import (
    PARTS,
    latest_scores,
    part_last_not_below,
    part_score,
    score_history,
)
from portal.i18n import english_stored

from ..models import EventKind
from . import Candidate, detector, live_accounts, run_began, settings_of, today_of

WEEK = timedelta(days=7)
# The newest score counts when it is this recent (tonight's may not be stored yet).
SCORE_LAG_DAYS = 2


@detector(EventKind.HEALTH_DROPPED)
def health_dropped(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Accounts whose newest score (today's or yesterday's) is ``points`` or more below their
    score 7 days before it. One query (three weeks of scores).

    A fall shows for up to a week of daily comparisons; it is one occurrence, named by the
    day it began (:func:`run_began`), so the source is the account, that day and the points.
    A day with no stored score on either side compares nothing.
    """
    settings = settings_of(EventKind.HEALTH_DROPPED, params)
    points = int(settings["points"])
    today = today_of(now)
    history = score_history(live_accounts(), today - 3 * WEEK, today)
    for account_id, scores in sorted(history.items()):
        latest = max(scores)
        if (today - latest).days >= SCORE_LAG_DAYS:
            continue

        def fallen(day: date, scores: dict[date, int] = scores) -> bool:
            before, now_ = scores.get(day - WEEK), scores.get(day)
            return before is not None and now_ is not None and before - now_ >= points

        began = run_began(latest, fallen)
        if began is None:
            continue
        before = scores[latest - WEEK]
        yield Candidate(
            account_id,
            f"health_drop:{account_id}:{began.isoformat()}:{points}",
            {
                "params": settings,
                "score": scores[latest],
                "score_before": before,
                "fallen": before - scores[latest],
                "day": latest.isoformat(),
                "since": began.isoformat(),
            },
        )


@detector(EventKind.HEALTH_PART_LOW)
def health_part_low(params: dict[str, Any], now: datetime) -> Iterator[Candidate]:
    """Accounts whose newest score has ``part`` below ``below``. Two queries.

    The part's why is given twice: ``why`` in English (one stable text, for the webhooks that
    pass the details on), and ``why_text``, the stored text as the score keeps it, for the
    portal to word in each reader's language (:func:`playbooks.services.playbooks.found_why`).
    A score stored before whys were stored texts has only ``why``, as it was stored.

    While the part stays low it is one occurrence: the source names the last day the part was
    not low (or "first" when it never was) with the part and threshold, so a part that
    recovers and falls again is a new event.
    """
    settings = settings_of(EventKind.HEALTH_PART_LOW, params)
    part, below = str(settings["part"]), int(settings["below"])
    if part not in PARTS:
        return
    today = today_of(now)
    accounts = live_accounts()
    low = {}
    for account_id, score in latest_scores(accounts, today).items():
        value = part_score(score, part)
        if value is not None and value < below and (today - score.day).days < SCORE_LAG_DAYS:
            low[account_id] = (score, value)
    if not low:
        return
    fine = part_last_not_below(accounts.filter(pk__in=list(low)), part, below, today)
    for account_id, (score, value) in sorted(low.items()):
        last_fine = fine.get(account_id)
        why = (score.parts.get(part) or {}).get("why", "")
        stored = {"why_text": why} if isinstance(why, dict) else {}
        yield Candidate(
            account_id,
            f"part_low:{account_id}:{part}:{below}:{last_fine.isoformat() if last_fine else 'first'}",
            {
                "params": settings,
                "part": part,
                "part_label": str(PARTS[part]),
                "part_score": value,
                "score": score.score,
                "day": score.day.isoformat(),
                "why": english_stored(why),
                **stored,
            },
        )
