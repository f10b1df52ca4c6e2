"""Demo reviews: a published business review for Acme's last quarter, with its PDF, a draft
for the quarter under way, and this year's Wrapped with the CSM's note. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone, translation

from accounts.models import Account, User
from portal.i18n import language_or_default

from .models import Review, WrappedNote, default_title, quarter_of
from .services import request_review, request_wrapped

SUMMARY = """Acme's team moved month-end reporting from spreadsheets into the portal this quarter: \
active users grew every month and the finance team now closes the books with the scheduled \
exports.

Next quarter: connect the remaining data sources and make the first board pack straight out \
of the portal, not a slide deck."""

RISKS = """The finance team training slipped: two report owners are still to be named.
The renewal is in {renewal}: we want usage broad enough beyond finance before then."""

RECOMMENDATIONS = """Name the two report owners and run the training in the first two weeks.
Roll the dashboards out to operations, then review adoption together at the next QBR."""


def _renewal_month(account: Account) -> str:
    """The month the account renews, as the CSM would write it in the review."""
    return account.renewal_date.strftime("%B %Y") if account.renewal_date else "the autumn"


def _default_title(start: date, author: User) -> str:
    """The review's default title, as the CSM's form gives it (in their language): each reader
    reads it in theirs (``Review.title_text``)."""
    with translation.override(language_or_default(author.language)):
        return default_title(start)


def ensure_demo_reviews() -> int:
    account = Account.objects.filter(slug="acme").select_related("owner").first()
    if account is None or account.owner is None:
        return 0
    today = timezone.localdate()
    this_start, this_end = quarter_of(today)
    last_start, last_end = quarter_of(this_start - timedelta(days=1))
    created = 0
    last, new = Review.objects.get_or_create(
        account=account,
        period_start=last_start,
        period_end=last_end,
        defaults={
            "title": _default_title(last_start, account.owner),
            "summary": SUMMARY,
            "risks": RISKS.format(renewal=_renewal_month(account)),
            "recommendations": RECOMMENDATIONS,
            "created_by": account.owner,
            "published_at": timezone.now(),
        },
    )
    if new:
        request_review(last, acting_user=account.owner)
        created += 1
    _, new = Review.objects.get_or_create(
        account=account,
        period_start=this_start,
        period_end=this_end,
        defaults={
            "title": _default_title(this_start, account.owner),
            "summary": "Draft: to finish after the December steering call.",
            "created_by": account.owner,
        },
    )
    created += new
    _, new_note = WrappedNote.objects.get_or_create(
        account=account,
        year=today.year,
        defaults={
            "author": account.owner,
            "body": "What a year, Acme! From the first data source last November to a board pack "
            "straight out of the portal: thank you for building this with us.\n\nNext year, "
            "let's bring operations along.",
        },
    )
    if new_note:
        request_wrapped(account, today.year, acting_user=account.owner)
    return created + new_note
