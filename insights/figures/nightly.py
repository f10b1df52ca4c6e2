"""The nightly runs as a CS admin reads them (:mod:`insights.services.nightly` writes them):
the last night's run, its chunks that failed or are still going, and the nights before. A fixed
number of queries, whatever the number of chunks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext

from accounts.models import Account

from ..models import NightlyChunk, NightlyRun

Status = NightlyChunk.Status
WAITING = [Status.QUEUED, Status.RUNNING, Status.RETRYING]
# The chunks a CS admin should look at first: failed, then still going, then done after a retry.
PROBLEM_ORDER = [Status.FAILED, Status.RETRYING, Status.RUNNING, Status.QUEUED, Status.DONE]
CHUNK_ROWS = 50


@dataclass(frozen=True)
class RunSummary:
    run: NightlyRun
    chunks_done: int
    chunks_failed: int
    chunks_retried: int  # tried more than once, whatever became of them
    accounts_done: int  # in chunks done: rolled up and scored
    accounts_failed: int
    scored: int  # accounts with a score (those with no data for any part have none)

    @property
    def chunks_waiting(self) -> int:
        return self.run.chunk_count - self.chunks_done - self.chunks_failed

    @property
    def finished(self) -> bool:
        return self.run.finished_at is not None

    @property
    def status(self) -> str:
        """running, done, or failed (finished with a chunk failed for good)."""
        if not self.finished:
            return "running"
        return "failed" if self.chunks_failed else "done"

    @property
    def seconds(self) -> float | None:
        if self.run.finished_at is None:
            return None
        return (self.run.finished_at - self.run.started_at).total_seconds()

    @property
    def took(self) -> str:
        """How long the run took, to the second ("4 min 05 s"); "" while it runs."""
        if self.seconds is None:
            return ""
        minutes, seconds = divmod(round(self.seconds), 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
        if minutes:
            return gettext("%(minutes)d min %(seconds)02d s") % {
                "minutes": minutes,
                "seconds": seconds,
            }
        return gettext("%(seconds)d s") % {"seconds": seconds}

    @property
    def percent(self) -> int:
        """Chunks settled (done or failed), as a whole percentage."""
        if not self.run.chunk_count:
            return 100
        settled = self.chunks_done + self.chunks_failed
        return settled * 100 // self.run.chunk_count


@dataclass(frozen=True)
class Overview:
    last: RunSummary | None
    earlier: list[RunSummary]
    chunks: list[ChunkRow]  # the last run's chunks to look at (failed first), capped
    chunks_to_look_at: int  # how many there are in all

    @property
    def chunks_more(self) -> int:
        return self.chunks_to_look_at - len(self.chunks)


@dataclass(frozen=True)
class ChunkRow:
    chunk: NightlyChunk
    first_account: str
    last_account: str


def _summarised(runs: QuerySet[NightlyRun]) -> QuerySet[NightlyRun]:
    done, failed = Q(chunks__status=Status.DONE), Q(chunks__status=Status.FAILED)
    return runs.annotate(
        n_done=Count("chunks", filter=done),
        n_failed=Count("chunks", filter=failed),
        n_retried=Count("chunks", filter=Q(chunks__attempts__gt=1)),
        accounts_done=Sum("chunks__account_count", filter=done, default=0),
        accounts_failed=Sum("chunks__account_count", filter=failed, default=0),
        n_scored=Sum("chunks__scored", default=0),
    )


def _summary(run: NightlyRun) -> RunSummary:
    return RunSummary(
        run=run,
        chunks_done=run.n_done,  # type: ignore[attr-defined]
        chunks_failed=run.n_failed,  # type: ignore[attr-defined]
        chunks_retried=run.n_retried,  # type: ignore[attr-defined]
        accounts_done=run.accounts_done,  # type: ignore[attr-defined]
        accounts_failed=run.accounts_failed,  # type: ignore[attr-defined]
        scored=run.n_scored,  # type: ignore[attr-defined]
    )


def recent_runs(limit: int = 8) -> list[RunSummary]:
    """The latest ``limit`` runs, newest first; one query."""
    return [
        _summary(run) for run in _summarised(NightlyRun.objects.order_by("-started_at"))[:limit]
    ]


def chunks_to_look_at(run: NightlyRun, limit: int = CHUNK_ROWS) -> tuple[list[ChunkRow], int]:
    """The run's chunks that failed, are still going or needed a retry (failed first), at most
    ``limit``, with the names of their first and last accounts; and how many there are in all.
    Three queries."""
    order = Case(
        *(When(status=status, then=Value(n)) for n, status in enumerate(PROBLEM_ORDER)),
        output_field=IntegerField(),
    )
    chunks = (
        run.chunks.filter(~Q(status=Status.DONE) | Q(attempts__gt=1))
        .annotate(problem=order)
        .order_by("problem", "index")
        .defer("account_ids")
    )
    total = chunks.count()
    shown = list(chunks[:limit])
    ids = {c.first_account_id for c in shown} | {c.last_account_id for c in shown}
    names = dict(Account.objects.filter(pk__in=ids).values_list("pk", "name"))
    gone = gettext("(deleted account)")
    rows = [
        ChunkRow(
            chunk=c,
            first_account=names.get(c.first_account_id, gone),
            last_account=names.get(c.last_account_id, gone),
        )
        for c in shown
    ]
    return rows, total


def overview(nights: int = 8) -> Overview:
    """The last run with its chunks to look at, and the ``nights - 1`` runs before it; four
    queries."""
    runs = recent_runs(nights)
    if not runs:
        return Overview(last=None, earlier=[], chunks=[], chunks_to_look_at=0)
    chunks, total = chunks_to_look_at(runs[0].run)
    return Overview(last=runs[0], earlier=runs[1:], chunks=chunks, chunks_to_look_at=total)
