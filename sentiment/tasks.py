"""Background work for sentiment: scoring a comment, off the request."""

from __future__ import annotations

from portal.jobs import job_task

from . import services


@job_task("sentiment.score_comment")
def score_comment(source_kind: str, source_id: int) -> str:
    """Idempotent: a second run finds the same text and stores nothing new."""
    row = services.score_comment(source_kind, source_id)
    return row.label if row is not None else "none"
