"""The nightly usage roll-up and health scores, fanned out over the workers.

:func:`start_nightly_run` (the ``insights.run_nightly`` task, from beat) splits the accounts,
in id order, into chunks of ``settings.NIGHTLY_CHUNK_SIZE`` and hands each chunk to its own
job (``insights.run_nightly_chunk``), so that every worker takes a share. :func:`run_chunk`
rolls up the last :data:`NIGHTLY_ROLL_UP_DAYS` days for its accounts, then scores them on top
of that roll-up. Both are upserts, so a chunk run twice writes the same rows.

A chunk that fails is retried by the job helper with backoff; its error and attempts are kept
on its :class:`NightlyChunk`, and the others go on. When the job gives up,
:func:`fail_chunk` marks the chunk failed. The run is finished when its last chunk is done or
failed for good: whichever chunk settles last stamps ``finished_at`` (a conditional update, so
two chunks ending together cannot both, or neither, do it).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account
from portal.figure_cache import changes_batched
from portal.jobs import enqueue_many

from ..models import NightlyChunk, NightlyRun
from .health import compute_health_scores
from .usage import days_back, roll_up

# How many days back the nightly roll-up recomputes, to take in usage that arrived late.
NIGHTLY_ROLL_UP_DAYS = 3
CHUNK_TASK = "insights.run_nightly_chunk"
SETTLED = [NightlyChunk.Status.DONE, NightlyChunk.Status.FAILED]


def split(account_ids: list[int], size: int) -> list[list[int]]:
    """``account_ids`` in runs of ``size`` (the last one shorter)."""
    if size < 1:
        raise ValueError("A chunk holds at least one account.")
    return [account_ids[i : i + size] for i in range(0, len(account_ids), size)]


def start_nightly_run(day: date | None = None, chunk_size: int | None = None) -> NightlyRun:
    """Record tonight's run and its chunks, and enqueue one job per chunk (published after
    commit). A fixed number of queries, whatever the number of accounts."""
    day = day or timezone.localdate()
    size = chunk_size or settings.NIGHTLY_CHUNK_SIZE
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    parts = split(ids, size)
    with transaction.atomic():
        run = NightlyRun.objects.create(
            day=day,
            roll_up_days=[d.isoformat() for d in days_back(day, NIGHTLY_ROLL_UP_DAYS)],
            chunk_size=size,
            chunk_count=len(parts),
            account_count=len(ids),
            # With no account there is nothing to wait for.
            finished_at=None if parts else timezone.now(),
        )
        chunks = NightlyChunk.objects.bulk_create(
            NightlyChunk(
                run=run,
                index=index,
                account_ids=part,
                account_count=len(part),
                first_account_id=part[0],
                last_account_id=part[-1],
            )
            for index, part in enumerate(parts)
        )
        enqueue_many(CHUNK_TASK, [{"chunk_id": chunk.pk} for chunk in chunks])
    return run


def run_chunk(chunk_id: int) -> int:
    """Roll up, then score, one chunk's accounts; returns how many were scored. A chunk
    already done or failed for good is left alone. Raises what the work raised, after
    recording it on the chunk, so that the job helper retries it."""
    claimed = (
        NightlyChunk.objects.filter(pk=chunk_id)
        .exclude(status__in=SETTLED)
        .update(
            status=NightlyChunk.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=Coalesce(F("started_at"), Value(timezone.now())),
        )
    )
    if not claimed:
        return 0
    chunk = NightlyChunk.objects.select_related("run").get(pk=chunk_id)
    run = chunk.run
    try:
        # The chunk's writes make the cached figures stale once, not once a day rolled up.
        with changes_batched():
            days = [date.fromisoformat(d) for d in run.roll_up_days]
            rolled_up = roll_up(chunk.account_ids, days)
            # One transaction for the chunk's scores: one commit instead of one an account,
            # and a chunk that fails leaves none of them half-written for its retry.
            with transaction.atomic():
                scored = compute_health_scores(chunk.account_ids, run.day)
    except Exception as exc:
        NightlyChunk.objects.filter(pk=chunk_id).update(
            status=NightlyChunk.Status.RETRYING, error=describe(exc)
        )
        raise
    # The error of an earlier attempt, if any, is kept: the page shows why it was retried.
    NightlyChunk.objects.filter(pk=chunk_id).update(
        status=NightlyChunk.Status.DONE,
        rolled_up=rolled_up,
        scored=scored,
        finished_at=timezone.now(),
    )
    finish_run_if_settled(run.pk)
    return scored


def fail_chunk(chunk_id: int, error: str) -> None:
    """The chunk's job gave up: mark it failed with the reason, and finish the run if it was
    the last one out."""
    chunk = NightlyChunk.objects.filter(pk=chunk_id).first()
    if chunk is None:
        return
    NightlyChunk.objects.filter(pk=chunk_id).update(
        status=NightlyChunk.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    finish_run_if_settled(chunk.run_id)


def finish_run_if_settled(run_id: int) -> bool:
    """Stamp the run finished if none of its chunks is still to settle; True for the one call
    that does it."""
    unsettled = NightlyChunk.objects.filter(run=OuterRef("pk")).exclude(status__in=SETTLED)
    return bool(
        NightlyRun.objects.filter(pk=run_id, finished_at=None)
        .filter(~Exists(unsettled))
        .update(finished_at=timezone.now())
    )


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
