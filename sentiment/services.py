"""Writes of comment sentiment: score one comment (from its job), or every comment again.

Scoring is machine work, like the nightly health score: it records no activity entry. Only
comments written by the customer's people are scored: the account's sentiment is its own
voice, and a CSM's note ("they are frustrated") would otherwise count as the customer's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from onboarding.models import TaskComment
from successplans.models import PlanComment
from surveys.models import Response

from .models import CommentSentiment, SourceKind
from .scoring import score_text

EXCERPT_LENGTH = 200


@dataclass(frozen=True)
class Source:
    """What the scoring needs of a comment, whatever its kind."""

    account_id: int
    parent_id: int
    author_id: int | None
    text: str
    written_at: datetime


def _response(pk: int) -> Source | None:
    row = (
        Response.objects.filter(pk=pk)
        .values("account_id", "campaign_id", "user_id", "comment", "updated_at")
        .first()
    )
    if row is None:
        return None
    return Source(
        row["account_id"], row["campaign_id"], row["user_id"], row["comment"], row["updated_at"]
    )


def _plan_comment(pk: int) -> Source | None:
    row = (
        PlanComment.objects.filter(pk=pk)
        .values("plan__account_id", "plan_id", "author_id", "body", "created_at")
        .first()
    )
    if row is None:
        return None
    return Source(
        row["plan__account_id"], row["plan_id"], row["author_id"], row["body"], row["created_at"]
    )


def _task_comment(pk: int) -> Source | None:
    row = (
        TaskComment.objects.filter(pk=pk)
        .values("task__checklist__account_id", "task_id", "author_id", "body", "created_at")
        .first()
    )
    if row is None:
        return None
    return Source(
        row["task__checklist__account_id"],
        row["task_id"],
        row["author_id"],
        row["body"],
        row["created_at"],
    )


SOURCES: dict[str, Callable[[int], Source | None]] = {
    SourceKind.SURVEY_RESPONSE: _response,
    SourceKind.PLAN_COMMENT: _plan_comment,
    SourceKind.TASK_COMMENT: _task_comment,
}


def _by_customer(author_id: int | None) -> bool:
    if author_id is None:
        return False
    return User.objects.filter(pk=author_id, vendor_role="").exists()


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_LENGTH:
        return flat
    return flat[: EXCERPT_LENGTH - 1].rstrip() + "…"


@transaction.atomic
def score_comment(
    source_kind: str, source_id: int, *, acting_user: User | None = None
) -> CommentSentiment | None:
    """Score one comment and store it (one row per comment). A comment gone, emptied or
    written by vendor staff loses its row. Saving an unchanged result writes nothing, so a
    second run (a retry, a re-delivery) changes nothing and raises no second signal."""
    load = SOURCES.get(source_kind)
    if load is None:
        raise ValueError(f"Unknown comment kind: {source_kind!r}")
    source = load(source_id)
    existing = (
        CommentSentiment.objects.select_for_update()
        .filter(source_kind=source_kind, source_id=source_id)
        .first()
    )
    if source is None or not source.text.strip() or not _by_customer(source.author_id):
        if existing is not None:
            existing.delete()
        return None
    scored = score_text(source.text)
    values = {
        "account_id": source.account_id,
        "parent_id": source.parent_id,
        "author_id": source.author_id,
        "excerpt": excerpt(source.text),
        "language": scored.language,
        "compound": scored.compound,
        "label": scored.label,
        "written_at": source.written_at,
    }
    if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
        return existing
    row = existing or CommentSentiment(source_kind=source_kind, source_id=source_id)
    for name, value in values.items():
        setattr(row, name, value)
    row.scored_at = timezone.now()
    row.save()
    return row


def all_comments(account_ids: Iterable[int] | None = None) -> Iterator[tuple[str, int]]:
    """Every comment there is to score, as (kind, id): for a backfill and the demo."""
    ids = list(account_ids) if account_ids is not None else None
    responses = Response.objects.exclude(comment="")
    plan_comments = PlanComment.objects.all()
    task_comments = TaskComment.objects.all()
    if ids is not None:
        responses = responses.filter(account_id__in=ids)
        plan_comments = plan_comments.filter(plan__account_id__in=ids)
        task_comments = task_comments.filter(task__checklist__account_id__in=ids)
    for kind, queryset in [
        (SourceKind.SURVEY_RESPONSE, responses),
        (SourceKind.PLAN_COMMENT, plan_comments),
        (SourceKind.TASK_COMMENT, task_comments),
    ]:
        for pk in queryset.order_by("pk").values_list("pk", flat=True).iterator():
            yield kind, pk


def score_all_comments(
    account_ids: Iterable[int] | None = None, *, acting_user: User | None = None
) -> int:
    """Score every comment (of the accounts given); returns how many have a row now."""
    return sum(
        score_comment(kind, pk, acting_user=acting_user) is not None
        for kind, pk in all_comments(account_ids)
    )
