"""Asking for PDFs, and what happens when one is ready.

``request_wrapped`` / ``request_review`` gather the figures now, fingerprint them and either
give back the version already made from the same figures or record a new version and queue
its rendering. A double click, two people at once, or a task delivered twice all end with one
version and one render.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.activity import record
from accounts.models import Account, CustomerRole, Delivery, NotificationKind, User
from accounts.services import delivery_for
from portal.jobs import enqueue
from portal.mail import send_mail_from_templates

from .figures import fingerprint, review_inputs, wrapped_inputs
from .models import BatchItem, Report, Review, WrappedBatch, stuck_before

log = logging.getLogger(__name__)

# A batch gathers figures for this many accounts per job, then queues the next slice, so no
# job runs into the time limit however large the book.
BATCH_SLICE = 100


def request_wrapped(
    account: Account, year: int, *, user: User | None, today: Any = None
) -> tuple[Report, bool]:
    """The account's Wrapped for ``year``: ``(report, made_new)``. Raises ``NoReport`` for a
    year that cannot have one."""
    inputs = wrapped_inputs(account, year, today=today)
    document = f"wrapped-{year}"
    return _request(
        account, Report.Kind.WRAPPED, document, inputs, user=user, shared=True, year=year
    )


def request_review(review: Review, *, user: User | None) -> tuple[Report, bool]:
    return _request(
        review.account,
        Report.Kind.REVIEW,
        review.document,
        review_inputs(review),
        user=user,
        shared=review.published_at is not None,
        review=review,
    )


def _request(
    account: Account,
    kind: str,
    document: str,
    inputs: dict[str, Any],
    *,
    user: User | None,
    shared: bool,
    **fields: Any,
) -> tuple[Report, bool]:
    """The newest version if it was made from these very figures (made again if it failed, got
    stuck or lost its file), else a new version. ``shared``: the customer may see it (a Wrapped,
    or a review that is published)."""
    digest = fingerprint(inputs)
    for _ in range(5):
        latest = (
            Report.objects.filter(account=account, document=document).order_by("-version").first()
        )
        if latest is not None and latest.fingerprint == digest:
            if shared and not latest.shared:
                Report.objects.filter(pk=latest.pk).update(shared=True)
            if latest.status == Report.Status.READY and not _file_exists(latest):
                Report.objects.filter(pk=latest.pk).update(status=Report.Status.FAILED)
            retry(latest, user=user)  # when failed or stuck; otherwise nothing
            latest.refresh_from_db()
            return latest, False
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    account=account,
                    kind=kind,
                    document=document,
                    version=(latest.version if latest else 0) + 1,
                    fingerprint=digest,
                    inputs=inputs,
                    shared=shared,
                    requested_by=user if user and user.is_authenticated else None,
                    **fields,
                )
                enqueue("reports.render_report", report_id=report.pk)
                record("asked for a PDF of", actor=user, account=account, target=report)
        except IntegrityError:
            continue  # someone asked at the same moment: look again
        return report, True
    raise RuntimeError("could not record the report version")  # pragma: no cover


def _file_exists(report: Report) -> bool:
    try:
        return bool(report.file) and report.file.storage.exists(report.file.name)
    except (OSError, ValueError):
        return False


def retry(report: Report, *, user: User | None) -> bool:
    """Queue a version again when it failed or its worker was lost; False otherwise."""
    retriable = Q(status=Report.Status.FAILED) | Q(
        status=Report.Status.RENDERING, started_at__lt=stuck_before()
    )
    with transaction.atomic():
        queued = Report.objects.filter(retriable, pk=report.pk).update(
            status=Report.Status.QUEUED, error="", started_at=None
        )
        if queued:
            enqueue("reports.render_report", report_id=report.pk)
            record("retried the PDF of", actor=user, account=report.account, target=report)
    return bool(queued)


def mark_failed(report_id: int, reason: str) -> None:
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.READY).update(
        status=Report.Status.FAILED, error=reason[:2000]
    )


def claim(report_id: int) -> bool:
    """Take a version for rendering: queued, or left rendering by a worker that died."""
    now = timezone.now()
    claimable = Q(status=Report.Status.QUEUED) | Q(
        status=Report.Status.RENDERING, started_at__lt=stuck_before()
    )
    return bool(
        Report.objects.filter(claimable, pk=report_id).update(
            status=Report.Status.RENDERING, started_at=now, attempts=F("attempts") + 1
        )
    )


# Who sees what -------------------------------------------------------------------------------


def visible_reports(account: Account, *, customer: bool) -> QuerySet[Report]:
    """Versions this viewer may open: customers those of the Wrapped and the versions of a
    published review made while it was published (never a draft's); the vendor every one."""
    reports = Report.objects.filter(account=account).select_related("review", "account")
    if customer:
        reports = reports.filter(
            Q(kind=Report.Kind.WRAPPED) | Q(review__published_at__isnull=False, shared=True)
        )
    return reports


def visible_reviews(account: Account, *, customer: bool) -> QuerySet[Review]:
    reviews = Review.objects.filter(account=account)
    return reviews.filter(published_at__isnull=False) if customer else reviews


@dataclass
class Document:
    """One review or one Wrapped in the archive: its newest version and what it says."""

    key: str
    title: str
    kind: str
    sort_date: Any
    latest: Report | None  # the newest version this viewer may download
    pending: Report | None  # a newer version still being made (or failed), for the vendor
    review: Review | None = None
    versions: int = 0
    changes: dict[str, Any] | None = None  # what moved since the previous review


def archive(account: Account, *, customer: bool, changes: bool = True) -> list[Document]:
    """Every document of the account, newest first (three queries: the reviews, the versions
    read without their stored figures, then, unless ``changes`` is off, "what changed" of the
    newest ready review versions)."""
    documents: dict[str, Document] = {}
    for review in visible_reviews(account, customer=customer):
        documents[review.document] = Document(
            key=review.document,
            title=review.title,
            kind=review.get_kind_display(),
            sort_date=review.period_end,
            latest=None,
            pending=None,
            review=review,
        )
    versions = visible_reports(account, customer=customer).defer("inputs")
    for report in versions.order_by("document", "-version"):
        doc = documents.get(report.document)
        if doc is None:
            if report.kind != Report.Kind.WRAPPED:
                continue
            doc = documents[report.document] = Document(
                key=report.document,
                title=report.title,
                kind="Year-end Wrapped",
                sort_date=date(report.year or 2000, 12, 31),
                latest=None,
                pending=None,
            )
        doc.versions += 1
        if report.status == Report.Status.READY:
            doc.latest = doc.latest or report
        elif doc.latest is None and doc.pending is None:
            doc.pending = report
    latest = {d.latest.pk: d for d in documents.values() if d.review and d.latest}
    if changes and latest:
        rows = Report.objects.filter(pk__in=latest).values_list("pk", "inputs__changes")
        for pk, changes in rows:
            latest[pk].changes = changes
    return sorted(documents.values(), key=lambda d: (d.sort_date, d.key), reverse=True)


# Batches -------------------------------------------------------------------------------------


def batch_accounts(batch: WrappedBatch) -> QuerySet[Account]:
    accounts = Account.objects.order_by("pk")
    return accounts.filter(segment=batch.segment) if batch.segment else accounts


def start_batch(*, year: int, segment: str, email_executives: bool, user: User) -> WrappedBatch:
    with transaction.atomic():
        batch = WrappedBatch.objects.create(
            year=year, segment=segment, email_executives=email_executives, created_by=user
        )
        batch.total = batch_accounts(batch).count()
        batch.save(update_fields=["total"])
        enqueue("reports.run_wrapped_batch", batch_id=batch.pk)
    return batch


def run_batch_slice(batch_id: int) -> int:
    """Ask for the next slice of the batch's Wrapped; queue the slice after it. Returns how
    many accounts this slice took."""
    batch = WrappedBatch.objects.get(pk=batch_id)
    done = BatchItem.objects.filter(batch=batch).values("account_id")
    todo = list(batch_accounts(batch).exclude(pk__in=done)[: BATCH_SLICE + 1])
    for account in todo[:BATCH_SLICE]:
        try:
            with transaction.atomic():
                report, _ = request_wrapped(account, batch.year, user=batch.created_by)
                item, _ = BatchItem.objects.get_or_create(
                    batch=batch, account=account, defaults={"report": report}
                )
        except Exception:
            # One account's figures failing must not stall the others: it leaves the batch
            # (the total shrinks, so the progress still reaches its end) and is logged.
            log.exception("Wrapped %s: figures for account %s failed", batch.year, account.pk)
            WrappedBatch.objects.filter(pk=batch.pk, total__gt=0).update(total=F("total") - 1)
            continue
        # Its version may have become ready before this item was committed: look now (the
        # e-mail job claims the item, so a second enqueue from after_ready sends nothing).
        ready = Report.objects.filter(pk=report.pk, status=Report.Status.READY).exists()
        if batch.email_executives and ready:
            enqueue("reports.email_wrapped", item_id=item.pk)
    if len(todo) > BATCH_SLICE:
        enqueue("reports.run_wrapped_batch", batch_id=batch.pk)
    return min(len(todo), BATCH_SLICE)


@dataclass(frozen=True)
class Progress:
    total: int
    asked: int
    ready: int
    failed: int

    @property
    def finished(self) -> int:
        return self.ready + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100

    @property
    def done(self) -> bool:
        return self.finished >= self.total


def progress(batch: WrappedBatch) -> Progress:
    counts = Counter(BatchItem.objects.filter(batch=batch).values_list("report__status", flat=True))
    # Accounts deleted since the batch started leave it: the progress still reaches its end.
    return Progress(
        total=min(batch.total, batch_accounts(batch).count()),
        asked=sum(counts.values()),
        ready=counts[Report.Status.READY],
        failed=counts[Report.Status.FAILED],
    )


def after_ready(report: Report) -> None:
    """A version is ready: e-mail the executives of batches that asked for it."""
    items = BatchItem.objects.filter(
        report=report, batch__email_executives=True, emailed_at__isnull=True
    )
    for item_id in items.values_list("pk", flat=True):
        enqueue("reports.email_wrapped", item_id=item_id)


def email_wrapped(item_id: int) -> int:
    """E-mail the account's executives that their Wrapped is ready (once per batch item).
    Returns how many were written to."""
    if not BatchItem.objects.filter(pk=item_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    ):
        return 0
    try:
        return _send_wrapped_ready(item_id)
    except Exception:
        # Not sent: let the job's retry claim the item again.
        BatchItem.objects.filter(pk=item_id).update(emailed_at=None)
        raise


def _send_wrapped_ready(item_id: int) -> int:
    item = BatchItem.objects.select_related("account", "report", "batch").get(pk=item_id)
    executives = User.objects.filter(
        is_active=True,
        memberships__account=item.account,
        memberships__role=CustomerRole.EXECUTIVE,
    ).distinct()
    sent = 0
    for user in executives:
        if delivery_for(user, NotificationKind.REPORTS) == Delivery.OFF:
            continue
        send_mail_from_templates(
            "wrapped_ready",
            to=[user.email],
            context={
                "user": user,
                "account": item.account,
                "report": item.report,
                "year": item.batch.year,
                "url": settings.SITE_URL + reverse("reports", args=[item.account.slug]),
            },
        )
        sent += 1
    return sent
