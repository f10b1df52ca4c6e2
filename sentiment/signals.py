"""Comments are scored as they are written: each receiver writes one job row (the request's
only extra query) and the job reads and scores the text after commit."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from onboarding.models import TaskComment
from portal.jobs import enqueue
from successplans.models import PlanComment
from surveys.models import Response
from surveys.signals import response_commented

from .models import SourceKind


def _score(kind: str, pk: int) -> None:
    enqueue("sentiment.score_comment", source_kind=str(kind), source_id=pk)


@receiver(post_save, sender=Response, dispatch_uid="sentiment.response_saved")
def response_saved(
    sender: type[Response],
    instance: Response,
    created: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    """A new answer with a comment, or a full save (which may have changed it). A score
    changed within the grace period (``update_fields`` without the comment) is left alone."""
    if update_fields is not None and "comment" not in update_fields:
        return
    if created and not instance.comment.strip():
        return
    _score(SourceKind.SURVEY_RESPONSE, instance.pk)


@receiver(response_commented, dispatch_uid="sentiment.response_commented")
def response_commented_later(sender: Any, response: Response, **kwargs: Any) -> None:
    """surveys.services.add_comment writes with ``.update()``: no post_save, this instead.
    An emptied comment is scored too: the job removes its row."""
    _score(SourceKind.SURVEY_RESPONSE, response.pk)


@receiver(post_save, sender=PlanComment, dispatch_uid="sentiment.plan_comment_saved")
def plan_comment_saved(sender: type[PlanComment], instance: PlanComment, **kwargs: Any) -> None:
    _score(SourceKind.PLAN_COMMENT, instance.pk)


@receiver(post_save, sender=TaskComment, dispatch_uid="sentiment.task_comment_saved")
def task_comment_saved(sender: type[TaskComment], instance: TaskComment, **kwargs: Any) -> None:
    _score(SourceKind.TASK_COMMENT, instance.pk)
