"""Asking for PDFs, and what happens when one is ready.

``request_wrapped`` / ``request_review`` gather the figures now, fingerprint them and either
give back the version already made from the same figures or record a new version and queue
its rendering. A double click, two people at once, or a task delivered twice all end with one
version and one render.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext

from accounts.activity import record, snapshot
from accounts.models import Account, CustomerRole, Delivery, NotificationKind, User
from accounts.services import Mail, tell
from portal import files, formatting
from portal.errors import StaleEdit
from portal.formatting import number, rounded, share
from portal.i18n import interpolate_lazy, language_or_default, override_for
from portal.jobs import enqueue

from .figures import (
    NoReport,
    as_published,
    fingerprint,
    review_data,
    wrapped_data,
    wrapped_inputs,
)
from .models import (
    BatchItem,
    Report,
    Review,
    ReviewRequest,
    WrappedBatch,
    WrappedNote,
    stuck_before,
)
from .rendering import render_html, render_pdf
from .signals import review_published
from .words import worded

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

log = logging.getLogger(__name__)

# A batch gathers figures for this many accounts per job, then queues the next slice, so no
# job runs into the time limit however large the book.
BATCH_SLICE = 100


def current_locale() -> tuple[str, str]:
    """The language and zone active now (the reader's on a page, ``override_for``'s in a job):
    the ones a PDF asked for now is gathered, formatted and written in."""
    return (
        language_or_default(translation.get_language() or ""),
        timezone.get_current_timezone_name(),
    )


def request_wrapped(
    account: Account,
    year: int,
    *,
    acting_user: User | None,
    today: date | None = None,
    made_from: Report | None = None,
) -> tuple[Report, bool]:
    """The account's Wrapped for ``year`` in the active language and zone: ``(report,
    made_new)``; with ``made_from``, that version in the active language: the very figures it
    was made from, worded anew (gathered again, as of the day it was made, for a version made
    before its figures were kept). Raises ``NoReport`` for a year that cannot have one."""
    if made_from is not None and made_from.snapshot is not None:
        data = made_from.snapshot
    else:
        data = wrapped_data(account, year, today=today)
    document = f"wrapped-{year}"
    return _request(
        account,
        Report.Kind.WRAPPED,
        document,
        data,
        user=acting_user,
        shared=True,
        year=year,
        made_from=made_from,
    )


def request_review(
    review: Review, *, acting_user: User | None, made_from: Report | None = None
) -> tuple[Report, bool]:
    """The review's PDF in the active language and zone: ``(report, made_new)``. With
    ``made_from``, that version in the active language: the very texts, period and figures it
    was made from (its ``snapshot``), worded anew, never what the review or the account say
    since. A version made before its figures were kept: its texts and period, the figures
    gathered again as of the day it was made."""
    if made_from is None:
        data = review_data(review)
    elif made_from.snapshot is not None:
        data = made_from.snapshot
    else:
        data = review_data(as_published(made_from.inputs, review), today=made_on(made_from))
    return _request(
        review.account,
        Report.Kind.REVIEW,
        review.document,
        data,
        user=acting_user,
        shared=review.published_at is not None,
        review=review,
        made_from=made_from,
    )


def _request(
    account: Account,
    kind: str,
    document: str,
    data: dict[str, Any],
    *,
    user: User | None,
    shared: bool,
    **fields: Any,
) -> tuple[Report, bool]:
    """The newest version if it was made from these very figures (made again if it failed, got
    stuck or lost its file), else a new version. ``data``: the figures as language-neutral data
    (``reports.words``), worded here in the active language. ``shared``: the customer may see it
    (a Wrapped, or a review that is published)."""
    inputs = worded(data)
    digest = fingerprint(inputs)
    language, zone = current_locale()
    for _ in range(5):
        latest = (
            Report.objects.filter(
                account=account, document=document, language=language, time_zone=zone
            )
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.fingerprint == digest:
            made_from = fields.get("made_from")
            if made_from is not None and latest.made_from_id is None and latest.pk != made_from.pk:
                # The reader's language had this very content already: it is that version.
                Report.objects.filter(pk=latest.pk).update(made_from=made_from)
            if shared and not latest.shared:
                Report.objects.filter(pk=latest.pk).update(shared=True)
            if latest.snapshot is None:  # made before its figures were kept: keep them now
                Report.objects.filter(pk=latest.pk).update(snapshot=data)
            if latest.status == Report.Status.READY and not _file_exists(latest):
                Report.objects.filter(pk=latest.pk).update(status=Report.Status.FAILED)
            retry(latest, acting_user=user)  # when failed or stuck; otherwise nothing
            latest.refresh_from_db()
            return latest, False
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    account=account,
                    kind=kind,
                    document=document,
                    version=(latest.version if latest else 0) + 1,
                    language=language,
                    time_zone=zone,
                    fingerprint=digest,
                    inputs=inputs,
                    snapshot=data,
                    shared=shared,
                    requested_by=user if user and user.is_authenticated else None,
                    **fields,
                )
                enqueue("reports.render_report", report_id=report.pk)
                record(
                    gettext_noop("asked for a PDF of"), actor=user, account=account, target=report
                )
        except IntegrityError:
            continue  # someone asked at the same moment: look again
        return report, True
    raise RuntimeError("could not record the report version")  # pragma: no cover


def _file_exists(report: Report) -> bool:
    try:
        return bool(report.file) and report.file.storage.exists(report.file.name)
    except (OSError, ValueError):
        return False


def retry(report: Report, *, acting_user: User | None) -> bool:
    """Queue a version again when it failed or its worker was lost; False otherwise."""
    retriable = Q(status=Report.Status.FAILED) | Q(
        status=Report.Status.RENDERING, started_at__lt=stuck_before()
    )
    with transaction.atomic():
        queued = Report.objects.filter(retriable, pk=report.pk).update(
            status=Report.Status.QUEUED, error="", error_detail="", started_at=None
        )
        if queued:
            enqueue("reports.render_report", report_id=report.pk)
            record(
                gettext_noop("retried the PDF of"),
                actor=acting_user,
                account=report.account,
                target=report,
            )
    return bool(queued)


def mark_failed(report_id: int, reason: str, *, detail: str = "") -> None:
    """Mark the version failed: ``reason`` one of the ``FAILED_*`` sentences (reports.models),
    kept in English and read in the reader's language, ``detail`` what it names."""
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.READY).update(
        status=Report.Status.FAILED, error=reason, error_detail=detail[:2000]
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


# Reviews, notes and downloads ------------------------------------------------------------------

REVIEW_FIELDS = [
    "title",
    "kind",
    "period_start",
    "period_end",
    "summary",
    "risks",
    "recommendations",
]


def create_review(account: Account, *, acting_user: User, **fields: Any) -> Review:
    """A new draft review of ``account`` (``fields``: the form's title, kind, period, texts)."""
    with transaction.atomic():
        review = Review.objects.create(account=account, created_by=acting_user, **fields)
        record(
            gettext_noop("started the review"), actor=acting_user, account=account, target=review
        )
    return review


def edit_review(review: Review, *, acting_user: User, **fields: Any) -> Review:
    """Save ``fields`` on the review, with what they were before in the activity log (read
    from the database: a form may already have changed the object it was given)."""
    review = Review.objects.select_related("account").get(pk=review.pk)
    before = snapshot(review, REVIEW_FIELDS)
    for name, value in fields.items():
        setattr(review, name, value)
    with transaction.atomic():
        review.save(update_fields=[*fields, "updated_at"])
        record(
            gettext_noop("edited the review"),
            actor=acting_user,
            account=review.account,
            target=review,
            before=before,
            after=snapshot(review, REVIEW_FIELDS),
        )
    return review


def publish_review(review: Review, *, acting_user: User) -> bool:
    """Share the review with the account: its PDF is made (or the same one given back), and
    each executive and champion who wants report e-mails gets one, after commit. False when it
    was already published (a double click publishes, and e-mails, once)."""
    now = timezone.now()
    with transaction.atomic():
        if not Review.objects.filter(pk=review.pk, published_at__isnull=True).update(
            published_at=now, updated_at=now
        ):
            return False
        review.published_at = now
        review_published.send(sender=Review, review=review, published_at=now)
        with override_for(account=review.account):  # made ahead in the account's language
            request_review(review, acting_user=acting_user)
        record(
            gettext_noop("published the review"),
            actor=acting_user,
            account=review.account,
            target=review,
        )
        # Everyone hears of it in their inbox; the job e-mails those who want it.
        for user_id in review_readers(review).values_list("pk", flat=True):
            enqueue(
                "reports.email_review_ready",
                review_id=review.pk,
                user_id=user_id,
                published_at=now.isoformat(),
            )
    return True


def unpublish_review(review: Review, *, acting_user: User) -> bool:
    """Take the review back from the customer; False when it was not published."""
    with transaction.atomic():
        if not Review.objects.filter(pk=review.pk, published_at__isnull=False).update(
            published_at=None, updated_at=timezone.now()
        ):
            return False
        review.published_at = None
        record(
            gettext_noop("unpublished the review"),
            actor=acting_user,
            account=review.account,
            target=review,
        )
    return True


def save_wrapped_note(account: Account, year: int, body: str, *, acting_user: User) -> WrappedNote:
    with transaction.atomic():
        # update_or_create: two people saving at once both land, the later one wins.
        note, _ = WrappedNote.objects.update_or_create(
            account=account, year=year, defaults={"body": body, "author": acting_user}
        )
        record(
            gettext_noop("wrote the Wrapped note for"),
            actor=acting_user,
            account=account,
            target=account,
            after={"year": year},
            internal=True,
        )
    return note


def made_on(report: Report) -> date:
    """The day ``report`` was asked for, in the zone it was made in: its figures are as of it."""
    try:
        zone = ZoneInfo(report.time_zone)
    except (ValueError, ZoneInfoNotFoundError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return timezone.localdate(report.created_at, timezone=zone)


def in_reader_locale(report: Report, *, acting_user: User) -> tuple[Report, bool]:
    """The same document as ``report`` in the active language and zone (the reader's):
    ``report`` itself when it is written so, else that version in their language: the very
    texts, period and figures ``report`` was made from, worded in their language
    (:func:`request_review` / :func:`request_wrapped` ``made_from``), so two languages never
    disagree, whatever changed since; made on this first
    download (``made_new``) or given back when made before. ``NoReport`` when the document can
    no longer be made."""
    if report.is_for(*current_locale()):
        return report, False
    # A copy made for another reader stands for the version it was made from.
    if report.made_from_id is not None and report.made_from is not None:
        report = report.made_from
        if report.is_for(*current_locale()):
            return report, False
    if report.kind == Report.Kind.WRAPPED and report.year is not None:
        return request_wrapped(
            report.account,
            report.year,
            acting_user=acting_user,
            today=made_on(report),
            made_from=report,
        )
    if report.review is not None:
        return request_review(report.review, acting_user=acting_user, made_from=report)
    raise NoReport(gettext("This PDF cannot be made in another language."))


def download(report: Report, *, acting_user: User) -> Report:
    """The version a reader downloads when they ask for ``report``: the same document in
    their language and zone (:func:`in_reader_locale`), its download recorded once it is
    ready and its file is in the storage (a file gone from it is not a download); one not
    ready yet is being made. ``NoReport`` when it cannot be made."""
    version, _made = in_reader_locale(report, acting_user=acting_user)
    if version.status == Report.Status.READY and files.present(version.file):
        record(
            gettext_noop("downloaded"), actor=acting_user, account=version.account, target=version
        )
    return version


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
    sort_date: date
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
            title=review.title_text,
            kind=review.get_kind_display(),
            sort_date=review.period_end,
            latest=None,
            pending=None,
            review=review,
        )
    # A version made for a reader in another language (``made_from``) is that version: the
    # document counts and lists the versions as made; each reader is shown the one in their
    # language when it was made, and the download gives them theirs in any case.
    language, zone = current_locale()
    theirs: dict[int, Report] = {}
    versions = visible_reports(account, customer=customer).defer("inputs")
    for report in versions.order_by("document", "-created_at", "-pk"):
        doc = documents.get(report.document)
        if doc is None:
            if report.kind != Report.Kind.WRAPPED:
                continue
            doc = documents[report.document] = Document(
                key=report.document,
                title=report.title,
                kind=gettext("Year-end Wrapped"),
                sort_date=date(report.year or 2000, 12, 31),
                latest=None,
                pending=None,
            )
        if report.made_from_id is not None:
            if report.is_for(language, zone) and report.status == Report.Status.READY:
                theirs.setdefault(report.made_from_id, report)
            continue
        doc.versions += 1
        if report.status == Report.Status.READY:
            doc.latest = doc.latest or report
        elif doc.latest is None and doc.pending is None:
            doc.pending = report
    for doc in documents.values():
        if doc.latest is not None and not doc.latest.is_for(language, zone):
            doc.latest = theirs.get(doc.latest.pk, doc.latest)
    latest = {d.latest.pk: d for d in documents.values() if d.review and d.latest}
    if changes and latest:
        rows = Report.objects.filter(pk__in=latest).values_list("pk", "inputs__changes")
        for pk, moved in rows:
            latest[pk].changes = moved
    return sorted(documents.values(), key=lambda d: (d.sort_date, d.key), reverse=True)


# Batches -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """An account a batch leaves out, and the days that say why (ISO dates, as a batch stores
    them): :attr:`reason` writes it in the reader's language."""

    account: int
    slug: str
    name: str
    first_contract: str | None  # its first contract's first day; None without one
    ends: str  # the Wrapped's last day
    cutoff: str  # a first contract on or before it gets a Wrapped

    @property
    def reason(self) -> str:
        return _skip_reason(
            date.fromisoformat(self.first_contract) if self.first_contract else None,
            date.fromisoformat(self.ends),
            date.fromisoformat(self.cutoff),
        )


def skipped_of(batch: WrappedBatch) -> list[Skipped | dict[str, Any]]:
    """The accounts ``batch`` skipped, with their reasons (a batch stored with its reasons
    written out keeps them as written)."""
    fields = {"account", "slug", "name", "first_contract", "ends", "cutoff"}
    return [Skipped(**row) if set(row) == fields else row for row in batch.skipped or []]


@dataclass(frozen=True)
class BatchPlan:
    """What a batch would do, worked out before it starts (the CS admin's preview)."""

    year: int
    segment: str
    email_executives: bool
    ends: date  # the Wrapped's last day: 31 December, or today for the year under way
    cutoff: date  # a first contract on or before this day gets a Wrapped
    accounts: QuerySet[Account]  # those that get one
    total: int
    skipped: list[Skipped]

    @property
    def sample(self) -> Account | None:
        """The account whose Wrapped the preview renders as a sample: the first by name."""
        return self.accounts.order_by("name", "pk").first()

    def executives(self) -> int:
        """How many executives the batch would e-mail (those who turned it off left out)."""
        if not self.email_executives:
            return 0
        executives = User.objects.filter(
            is_active=True,
            memberships__role=CustomerRole.EXECUTIVE,
            memberships__account__in=self.accounts.values("pk"),
        )
        return _want_reports(executives).distinct().count()


class FirstContract(TypedDict):
    first_contract: date | None  # when its first contract starts; None without one


def _with_first_contract(
    accounts: QuerySet[Account],
) -> QuerySet[WithAnnotations[Account, FirstContract]]:
    return accounts.annotate(first_contract=Min("contracts__starts_on"))


def _segment(segment: str) -> QuerySet[Account]:
    accounts = Account.objects.order_by("pk")
    return accounts.filter(segment=segment) if segment else accounts


def _skip_reason(first_contract: date | None, ends: date, cutoff: date) -> str:
    if first_contract is None:
        return gettext("No contract yet: nothing to sum up.")
    if first_contract > ends:
        return gettext("Its first contract starts %(start)s, after the Wrapped ends.") % {
            "start": formatting.long_date(first_contract)
        }
    days = (ends - first_contract).days
    needed = (ends - cutoff).days
    return ngettext(
        "Its first contract started %(start)s, %(days)s day before the Wrapped ends "
        "(%(needed)s needed).",
        "Its first contract started %(start)s, %(days)s days before the Wrapped ends "
        "(%(needed)s needed).",
        days,
    ) % {
        "start": formatting.long_date(first_contract),
        "days": number(days),
        "needed": number(needed),
    }


def plan_batch(
    *, year: int, segment: str, email_executives: bool = False, today: date | None = None
) -> BatchPlan:
    """Which accounts of ``segment`` (empty: all) get a ``year`` Wrapped, which are skipped and
    why: an account needs a first contract that started ``WRAPPED_MIN_CONTRACT_DAYS`` before
    the Wrapped's last day, so a customer signed last week gets no Wrapped with nothing in it."""
    today = today or timezone.localdate()
    ends = min(date(year, 12, 31), today)
    cutoff = ends - timedelta(days=settings.WRAPPED_MIN_CONTRACT_DAYS)
    accounts = _with_first_contract(_segment(segment))
    eligible = accounts.filter(first_contract__lte=cutoff)
    left_out = accounts.filter(Q(first_contract__gt=cutoff) | Q(first_contract__isnull=True))
    skipped = [
        Skipped(
            a.pk,
            a.slug,
            a.name,
            a.first_contract.isoformat() if a.first_contract else None,
            ends.isoformat(),
            cutoff.isoformat(),
        )
        for a in left_out.order_by("name", "pk")
    ]
    return BatchPlan(
        year=year,
        segment=segment,
        email_executives=email_executives,
        ends=ends,
        cutoff=cutoff,
        accounts=eligible,
        total=eligible.count(),
        skipped=skipped,
    )


def sample_wrapped(
    *, year: int, segment: str, account: Account | None = None
) -> tuple[Account, bytes]:
    """One account's Wrapped as the batch would make it (``account``, else the plan's sample),
    rendered now and stored nowhere: the preview's sample. ``NoReport`` when the batch would
    make that account none."""
    plan = plan_batch(year=year, segment=segment)
    account = account or plan.sample
    if account is None or not plan.accounts.filter(pk=account.pk).exists():
        raise NoReport(gettext("That account gets no Wrapped in this batch."))
    with override_for(account=account):
        return account, render_pdf(render_html(wrapped_inputs(account, year))).pdf


def batch_accounts(batch: WrappedBatch) -> QuerySet[Account]:
    """The accounts the batch makes a Wrapped for: its segment's, with a contract old enough."""
    accounts = _segment(batch.segment)
    if batch.contract_cutoff is None:  # a batch made before the rule
        return accounts
    return _with_first_contract(accounts).filter(first_contract__lte=batch.contract_cutoff)


def start_batch(
    *,
    year: int,
    segment: str,
    email_executives: bool,
    acting_user: User,
    expected_total: int | None = None,
    today: date | None = None,
) -> WrappedBatch:
    """Start the batch the CS admin previewed. ``expected_total``: the number of accounts the
    preview showed; when the accounts changed since, :class:`StaleEdit` carries the new plan
    and nothing starts."""
    plan = plan_batch(year=year, segment=segment, email_executives=email_executives, today=today)
    if expected_total is not None and plan.total != expected_total:
        raise StaleEdit(
            plan,
            ngettext(
                "The accounts changed since your preview: %(count)s account gets a Wrapped "
                "now. Check the preview again, then start.",
                "The accounts changed since your preview: %(count)s accounts get a Wrapped "
                "now. Check the preview again, then start.",
                plan.total,
            )
            % {"count": number(plan.total)},
        )
    with transaction.atomic():
        batch = WrappedBatch.objects.create(
            year=year,
            segment=segment,
            email_executives=email_executives,
            created_by=acting_user,
            total=plan.total,
            contract_cutoff=plan.cutoff,
            skipped=[asdict(s) for s in plan.skipped],
        )
        enqueue("reports.run_wrapped_batch", batch_id=batch.pk)
        record(
            gettext_noop("started the Wrapped batch"),
            actor=acting_user,
            target=batch,
            after={"year": year, "segment": segment, "accounts": plan.total},
            internal=True,
        )
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
                with override_for(account=account):  # in the account's language
                    report, _ = request_wrapped(account, batch.year, acting_user=batch.created_by)
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
        value = share(self.finished, self.total)
        return 100 if value is None else int(rounded(value))

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
    url = reverse("reports", args=[item.account.slug])
    for user in executives:
        sent += tell(
            user,
            kind=NotificationKind.REPORTS,
            title=interpolate_lazy(
                gettext_lazy("%(account)s's %(year)s Wrapped is ready"),
                {"account": item.account.name, "year": item.batch.year},
            ),
            url=url,
            account=item.account,
            mail=Mail(
                "wrapped_ready",
                {
                    "account": item.account,
                    "report": item.report,
                    "year": item.batch.year,
                    "url": settings.SITE_URL + url,
                },
            ),
        )
    return sent


def _want_reports(users: QuerySet[User]) -> QuerySet[User]:
    """Leave out who turned report e-mails off (in one query: ``delivery_for``, in bulk)."""
    return users.exclude(
        notification_settings__kind=NotificationKind.REPORTS,
        notification_settings__delivery=Delivery.OFF,
    )


# Review published ----------------------------------------------------------------------------


def review_readers(review: Review) -> QuerySet[User]:
    """Who hears that a review is published: the account's active executives and champions
    (members do not see reviews; vendor staff published it)."""
    return User.objects.filter(
        is_active=True,
        memberships__account=review.account_id,
        memberships__role__in=[CustomerRole.EXECUTIVE, CustomerRole.CHAMPION],
    ).distinct()


def email_review_ready(review_id: int, user_id: int, published_at: str) -> bool:
    """E-mail one reader that the review is published. Nothing when it has been unpublished
    (or published again, which sends its own) since, or the reader left the account or turned
    report e-mails off. The job around it runs once; True when the e-mail was sent."""
    review = (
        Review.objects.filter(pk=review_id, published_at=datetime.fromisoformat(published_at))
        .select_related("account")
        .first()
    )
    if review is None:
        return False
    user = review_readers(review).filter(pk=user_id).first()
    if user is None:
        return False
    return tell(
        user,
        kind=NotificationKind.REPORTS,
        title=interpolate_lazy(
            gettext_lazy("A business review of %(account)s is ready: %(review)s"),
            {"account": review.account.name, "review": review},
        ),
        url=review.get_absolute_url(),
        account=review.account,
        mail=Mail(
            "review_ready",
            {
                "account": review.account,
                "review": review,
                "url": settings.SITE_URL + review.get_absolute_url(),
            },
        ),
    )
    return True


# A customer asking for a review --------------------------------------------------------------


class AlreadyAsked(Exception):
    """The account asked for a review a short while ago; the message says when and who."""

    def __init__(self, earlier: ReviewRequest) -> None:
        who = earlier.asked_by.display_name
        when = formatting.long_date(earlier.created_at)
        owner = earlier.account.owner
        super().__init__(
            gettext(
                "%(who)s already asked for a business review on %(when)s; "
                "%(csm)s has been told and will be in touch."
            )
            % {
                "who": who,
                "when": when,
                "csm": owner.display_name if owner else gettext("your CSM"),
            }
        )
        self.earlier = earlier


def last_review_request(account: Account) -> ReviewRequest | None:
    """The account's ask of the last :attr:`ReviewRequest.ASK_AGAIN_AFTER_DAYS` days, if any."""
    since = timezone.now() - timedelta(days=ReviewRequest.ASK_AGAIN_AFTER_DAYS)
    return (
        ReviewRequest.objects.filter(account=account, created_at__gte=since)
        .select_related("asked_by", "account__owner")
        .first()
    )


def ask_for_review(
    account: Account,
    *,
    acting_user: User,
    note: str = "",
    preferred_month: date | None = None,
) -> ReviewRequest:
    """Record that ``acting_user`` (an executive or champion) asks for a business review and
    tell the owner CSM: an inbox item now, an e-mail after commit unless they turned report
    e-mails off. Raises :class:`AlreadyAsked` within 30 days of the account's last ask (the
    account row is locked, so two people asking at once make one ask). The playbooks app
    raises its "review asked" event from the saved row."""
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()
        earlier = last_review_request(account)
        if earlier is not None:
            raise AlreadyAsked(earlier)
        ask = ReviewRequest.objects.create(
            account=account,
            asked_by=acting_user,
            note=note.strip(),
            preferred_month=preferred_month.replace(day=1) if preferred_month else None,
        )
        record(
            gettext_noop("asked for"),
            actor=acting_user,
            account=account,
            target=ask,
            # The month as a date: the timeline writes it in each reader's language.
            after={
                "note": ask.note[:200],
                "preferred_month": ask.preferred_month.isoformat() if ask.preferred_month else "",
            },
        )
        owner = account.owner
        if owner is not None and owner.is_active:
            enqueue("reports.email_review_asked", ask_id=ask.pk)
    return ask


def _month_text(month: date | None) -> str:
    return formatting.long_month(month) if month else ""


def _ask_summary_now(ask: ReviewRequest) -> str:
    parts = []
    if ask.preferred_month:
        parts.append(
            gettext("Preferred month: %(month)s.") % {"month": _month_text(ask.preferred_month)}
        )
    if ask.note:
        parts.append(ask.note)
    return "\n".join(parts)


# The ask's summary for the inbox: written when read, in the reader's language.
_ask_summary = lazy(_ask_summary_now, str)


def email_review_asked(ask_id: int) -> bool:
    """Tell the owner CSM of the ask's account: an inbox item, and an e-mail as they chose
    for report e-mails. True when the e-mail was sent."""
    ask = (
        ReviewRequest.objects.filter(pk=ask_id).select_related("account__owner", "asked_by").first()
    )
    if ask is None or ask.account.owner is None:
        return False
    owner = ask.account.owner
    account = ask.account
    return tell(
        owner,
        kind=NotificationKind.REPORTS,
        title=interpolate_lazy(
            gettext_lazy("%(asked_by)s of %(account)s asks for a business review"),
            {"asked_by": ask.asked_by.display_name, "account": account.name},
        ),
        url=reverse("reports", args=[account.slug]),
        body=_ask_summary(ask),
        account=account,
        mail=Mail(
            "review_asked",
            {
                "user": owner,
                "account": account,
                "ask": ask,
                "preferred_month": ask.preferred_month,
                "url": settings.SITE_URL + reverse("reports", args=[account.slug]),
            },
        ),
    )
