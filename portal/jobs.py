"""The one way to start background work: record the job, publish it after commit.

    from portal.jobs import enqueue
    enqueue("accounts.send_invitation", invitation_id=invitation.pk)

The job row is written in the caller's transaction. Publishing happens after the transaction
commits; if the broker is down the request carries on at once and the job stays ``unsent``
until :func:`relay_unsent_jobs` publishes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from celery import Task, shared_task
from celery.exceptions import Ignore
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Retry a failing job with exponential backoff (JOB_RETRY_BACKOFF: 10 s, 20 s, 40 s, ...),
# at most ten minutes apart.
MAX_ATTEMPTS = 6


def enqueue(task: str, **kwargs: Any) -> Job:
    """Record a job for ``task`` (a registered Celery task name) and publish it after commit."""
    job = Job.objects.create(task=task, kwargs=kwargs)
    transaction.on_commit(lambda: publish(job.pk))
    return job


def enqueue_many(task: str, kwargs_list: list[dict[str, Any]]) -> list[Job]:
    """Record one job for ``task`` per kwargs in one insert, each published after commit: a
    scheduler handing out N pieces of work costs the same queries for 1 as for 500."""
    jobs = Job.objects.bulk_create([Job(task=task, kwargs=kwargs) for kwargs in kwargs_list])
    if jobs:
        ids = [job.pk for job in jobs]
        transaction.on_commit(lambda: publish_many(ids))
    return jobs


def publish_many(job_ids: list[Any]) -> int:
    """:func:`publish` for many jobs, in their order, the unsent ones read in one query and
    marked sent in one update. Returns how many were published; stops at the first the
    broker refuses (the relay sends the rest)."""
    from .celery import app

    jobs = list(Job.objects.filter(pk__in=job_ids, status=Job.Status.UNSENT).order_by("pk"))
    if not jobs:
        return 0
    if app.conf.task_always_eager:
        Job.objects.filter(pk__in=[job.pk for job in jobs]).update(
            status=Job.Status.QUEUED, sent_at=timezone.now()
        )
        for job in jobs:
            app.tasks[job.task].apply(kwargs={**job.kwargs, "job_id": str(job.pk)})
        return len(jobs)
    sent = []
    for job in jobs:
        try:
            app.send_task(
                job.task,
                kwargs={**job.kwargs, "job_id": str(job.pk)},
                task_id=str(job.pk),
                retry=False,
            )
        except Exception as exc:  # the broker is down or unreachable: the relay tries again
            log.warning("job %s not published, will relay: %s", job.pk, exc)
            break
        sent.append(job.pk)
    Job.objects.filter(pk__in=sent, status=Job.Status.UNSENT).update(
        status=Job.Status.QUEUED, sent_at=timezone.now()
    )
    return len(sent)


def publish(job_id: Any) -> bool:
    """Send one job to the broker. Returns False (and leaves the job unsent) if that fails."""
    from .celery import app

    job = Job.objects.filter(pk=job_id, status=Job.Status.UNSENT).first()
    if job is None:
        return False
    if app.conf.task_always_eager:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, sent_at=timezone.now())
        app.tasks[job.task].apply(kwargs={**job.kwargs, "job_id": str(job.pk)})
        return True
    try:
        app.send_task(
            job.task,
            kwargs={**job.kwargs, "job_id": str(job.pk)},
            task_id=str(job.pk),
            retry=False,
        )
    except Exception as exc:  # the broker is down or unreachable: the relay tries again
        log.warning("job %s not published, will relay: %s", job.pk, exc)
        return False
    Job.objects.filter(pk=job.pk, status=Job.Status.UNSENT).update(
        status=Job.Status.QUEUED, sent_at=timezone.now()
    )
    return True


def relay_unsent_jobs(older_than: timedelta | None = None) -> int:
    """Publish the jobs the broker never got, oldest first. Returns how many were sent.

    Jobs queued long ago that never started were lost by the broker (a Redis restarted without
    persistence, say) and are sent again; the claim in :class:`JobTask` keeps that harmless.
    """
    now = timezone.now()
    Job.objects.filter(
        status=Job.Status.QUEUED, sent_at__lt=now - settings.JOB_REQUEUE_AFTER
    ).update(status=Job.Status.UNSENT)
    cutoff = now - (settings.JOB_RELAY_AFTER if older_than is None else older_than)
    unsent = Job.objects.filter(status=Job.Status.UNSENT, created_at__lte=cutoff)
    sent = 0
    for job_id in unsent.values_list("pk", flat=True)[:500]:
        if not publish(job_id):
            break  # the broker is still down; the next run tries again
        sent += 1
    return sent


class JobTask(Task):
    """A task run for a :class:`Job`: claims it first, so a second delivery does nothing."""

    acks_late = True
    max_retries = MAX_ATTEMPTS
    # Attempts in all before the job fails for good; a task may ask for fewer
    # (``@job_task(..., max_attempts=3)``).
    max_attempts = MAX_ATTEMPTS
    # The job id travels as a keyword the task function does not declare.
    typing = False

    def __call__(self, *args: Any, job_id: str | None = None, **kwargs: Any) -> Any:
        if job_id is None:  # called directly (a schedule, a shell): nothing to claim
            return self.run(*args, **kwargs)
        now = timezone.now()
        # A job left running past the hard time limit belongs to a worker that died: the
        # broker delivers it again (acks_late) and it may be claimed anew.
        abandoned = Q(
            status=Job.Status.RUNNING,
            started_at__lt=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
        )
        claimable = Q(status__in=[Job.Status.UNSENT, Job.Status.QUEUED]) | abandoned
        claimed = Job.objects.filter(claimable, pk=job_id).update(
            status=Job.Status.RUNNING, started_at=now
        )
        if not claimed:
            log.info("job %s already claimed, skipping", job_id)
            return None
        try:
            result = self.run(*args, **kwargs)
        except Ignore:
            raise
        except Exception as exc:
            attempts = Job.objects.get(pk=job_id).attempts + 1
            final = attempts >= self.max_attempts or self.request.is_eager
            Job.objects.filter(pk=job_id).update(
                status=Job.Status.FAILED if final else Job.Status.QUEUED,
                attempts=attempts,
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            if final:
                log.exception("job %s failed for good", job_id)
                give_up = getattr(self, "give_up", None)
                if give_up is not None:  # the task's own record of the failure
                    give_up(error=f"{type(exc).__name__}: {exc}", **kwargs)
                return None
            raise self.retry(
                exc=exc,
                countdown=min(600, settings.JOB_RETRY_BACKOFF * 2 ** (attempts - 1)),
                kwargs={**kwargs, "job_id": job_id},
            ) from exc
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.DONE, finished_at=timezone.now(), error=""
        )
        return result


def job_task(
    name: str, give_up: Callable[..., None] | None = None, **options: Any
) -> Callable[[Callable[P, R]], Any]:
    """Declare a task that runs as a :class:`Job`: ``@job_task("accounts.send_invitation")``.

    ``give_up(error=..., **kwargs)`` is called once when the job fails for good, so the task
    can mark its own records failed with the reason.
    """
    if give_up is not None:
        options["give_up"] = staticmethod(give_up)
    return shared_task(name=name, base=JobTask, bind=False, **options)


@shared_task(name="portal.relay_unsent_jobs", ignore_result=True)
def relay_unsent_jobs_task() -> int:
    return relay_unsent_jobs()
