"""Data for the reports tests, and their rows of the URL x role access matrix.

tests/test_access_matrix.py takes everything from here (a new reports URL gets its row in
``REPORTS_EXPECTED``)::

    EXPECTED.update(REPORTS_EXPECTED)
    # in matrix_world:   ctx["reports"] = make_reports_world(world)
    # in url_and_data:   **reports_url_args(ctx["reports"], slug),
    # in db_state():     *reports_db_state(),

Versions in the matrix are made without rendering (a stand-in file): the matrix is about who
may reach what, the rendering has its own tests.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from insights.models import Contract
from reports.models import BatchItem, Report, Review, WrappedBatch, WrappedNote
from reports.services import plan_batch

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
REPORTS_READ = [L, 200, 200, 403, 404, 200, 404, 200]
REPORTS_ASK = [L, 302, 302, 403, 404, 302, 404, 302]
VENDOR_READ = [L, 403, 403, 403, 404, 200, 404, 200]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
ADMIN_READ = [L, 403, 403, 403, 403, 403, 403, 200]
ADMIN_WRITE = [L, 403, 403, 403, 403, 403, 403, 302]
POST_ONLY = [405] * 8

REPORTS_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "reports": (REPORTS_READ, None),
    "report": (REPORTS_READ, None),
    "report_download": (REPORTS_READ, None),
    "report_retry": (POST_ONLY, REPORTS_ASK),
    "wrapped_request": (POST_ONLY, REPORTS_ASK),
    "wrapped_note": (VENDOR_READ, VENDOR_WRITE),
    "review_create": (VENDOR_READ, VENDOR_WRITE),
    "review": (REPORTS_READ, None),
    "review_edit": (VENDOR_READ, VENDOR_WRITE),
    "review_generate": (POST_ONLY, REPORTS_ASK),
    "review_publish": (POST_ONLY, VENDOR_WRITE),
    "wrapped_batches": (ADMIN_READ, ADMIN_WRITE),
    "wrapped_preview": (ADMIN_READ, None),
    "wrapped_sample": (ADMIN_READ, None),
    "wrapped_batch": (ADMIN_READ, None),
}


def stand_in_version(
    review: Review, *, status: str = Report.Status.READY, version: int = 1
) -> Report:
    """A version of ``review`` with a stand-in file, made without WeasyPrint."""
    report = Report.objects.create(
        account=review.account,
        kind=Report.Kind.REVIEW,
        document=review.document,
        review=review,
        version=version,
        fingerprint=f"stand-in-{version}",
        inputs={"review": {"title": review.title, "kind": review.kind, "slug": "2026-q3"}},
        status=status,
        shared=review.published_at is not None,
        rendered_at=timezone.now() if status == Report.Status.READY else None,
        pages=3 if status == Report.Status.READY else None,
    )
    if status == Report.Status.READY:
        report.file.save("stand-in.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=True)
    return report


def contract(account: Any, starts_on: date, *, external_id: str = "") -> Contract:
    """A three-year contract of ``account`` from ``starts_on``: what makes it due a Wrapped."""
    return Contract.objects.create(
        account=account,
        external_id=external_id or f"{account.slug}-{starts_on:%Y%m%d}",
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=3 * 365),
        recurring_value=Decimal(36_000),
        term_months=36,
    )


def make_reports_world(world: Any) -> dict[str, Any]:
    contract(world.account, date(2020, 1, 1))  # Acme gets a Wrapped; Bluth, with none, not
    published = Review.objects.create(
        account=world.account,
        title="Q3 2026 business review",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        summary="A good quarter.",
        created_by=world.csm,
        published_at=timezone.now(),
    )
    draft = Review.objects.create(
        account=world.account,
        title="Q4 2026 business review",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        created_by=world.csm,
    )
    ready = stand_in_version(published)
    batch = WrappedBatch.objects.create(year=2025, created_by=world.admin, total=1)
    return {"published": published, "draft": draft, "ready": ready, "batch": batch}


def fail_for_matrix(ctx: dict[str, Any]) -> None:
    Report.objects.filter(pk=ctx["ready"].pk).update(status=Report.Status.FAILED, error="Boom")


def reports_url_args(ctx: dict[str, Any], slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    published, draft, ready = ctx["published"], ctx["draft"], ctx["ready"]
    year = timezone.localdate().year
    review_data = {
        "title": "Q3 2026 review, revised",
        "kind": "qbr",
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "summary": "Better than we thought.",
    }
    return {
        "report": ([slug, ready.pk], {}),
        "report_download": ([slug, ready.pk], {}),
        "report_retry": ([slug, ready.pk], {}),
        "wrapped_request": ([slug], {"year": year}),
        "wrapped_note": ([slug, year], {"body": "Thank you for a great year."}),
        "review_create": ([slug], review_data),
        "review": ([slug, published.pk], {}),
        "review_edit": ([slug, published.pk], review_data),
        "review_generate": ([slug, published.pk], {}),
        "review_publish": ([slug, draft.pk], {"publish": "1"}),
        "wrapped_batches": (
            [],
            {
                "year": year,
                "segment": "",
                "email_executives": "",
                "accounts": plan_batch(year=year, segment="").total,
            },
        ),
        "wrapped_batch": ([ctx["batch"].pk], {}),
    }


def reports_db_state() -> tuple[Any, ...]:
    return (
        list(Review.objects.order_by("pk").values()),
        list(WrappedNote.objects.order_by("pk").values()),
        list(Report.objects.order_by("pk").values("pk", "status", "version", "fingerprint")),
        list(WrappedBatch.objects.order_by("pk").values()),
        BatchItem.objects.count(),
    )
