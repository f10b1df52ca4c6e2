"""Rendering PDFs and running Wrapped batches, off the request."""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from portal.i18n import Locale, override_for
from portal.jobs import job_task

from . import services
from .models import FAILED, FAILED_AFTER_TRIES, FAILED_TOO_LONG, Report, report_path
from .rendering import render_html, render_pdf

log = logging.getLogger(__name__)


def _gave_up(*, error: str, report_id: int, **_: object) -> None:
    services.mark_failed(report_id, FAILED_AFTER_TRIES, detail=error)


@job_task(
    "reports.render_report",
    give_up=_gave_up,
    soft_time_limit=settings.REPORT_RENDER_TIME_LIMIT,
    time_limit=settings.REPORT_RENDER_TIME_LIMIT + 30,
)
def render_report(report_id: int) -> str | None:
    """Render one version. Delivered twice, it renders once (the claim); a render that fails
    is marked failed with its reason, and the versions made before stay as they were."""
    if not services.claim(report_id):
        log.info("report %s is not waiting to render, skipping", report_id)
        return None
    report = Report.objects.select_related("account").get(pk=report_id)
    try:
        # Written in the version's language, its dates in its zone (as its figures were).
        with override_for(locale=Locale(report.language, report.time_zone)):
            rendered = render_pdf(render_html(report.inputs, made_at=timezone.localtime()))
    except SoftTimeLimitExceeded:
        services.mark_failed(report_id, FAILED_TOO_LONG)
        return None
    except Exception as exc:  # bad data cannot be fixed by trying again: say what it was
        log.exception("report %s failed to render", report_id)
        services.mark_failed(report_id, FAILED, detail=f"{type(exc).__name__}: {exc}")
        return None
    try:
        name = default_storage.save(report_path(report, ""), ContentFile(rendered.pdf))
        done = Report.objects.filter(pk=report_id, status=Report.Status.RENDERING).update(
            status=Report.Status.READY,
            file=name,
            pages=rendered.pages,
            size=len(rendered.pdf),
            render_seconds=rendered.seconds,
            rendered_at=timezone.now(),
            error="",
            error_detail="",
        )
    except BaseException:
        # Storage or database trouble passes: back in the queue (never left "rendering"),
        # and the job retries with backoff.
        Report.objects.filter(pk=report_id, status=Report.Status.RENDERING).update(
            status=Report.Status.QUEUED
        )
        raise
    if done:
        services.after_ready(report)
    return name


@job_task("reports.run_wrapped_batch")
def run_wrapped_batch(batch_id: int) -> int:
    return services.run_batch_slice(batch_id)


@job_task("reports.email_wrapped")
def email_wrapped(item_id: int) -> int:
    return services.email_wrapped(item_id)


@job_task("reports.email_review_ready")
def email_review_ready(review_id: int, user_id: int, published_at: str) -> bool:
    return services.email_review_ready(review_id, user_id, published_at)


@job_task("reports.email_review_asked")
def email_review_asked(ask_id: int) -> bool:
    return services.email_review_asked(ask_id)
