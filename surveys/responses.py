"""The answers the results page lists (its comments) and exports (CSV), read only.

Both take the same :class:`~surveys.figures.Filters` as the figures above them, and reach the
responses through the tenancy rule (``Response.objects.visible_to``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from portal.csv_export import safe_cell

from .figures import Filters, matching_responses
from .models import Response, band_of


def listed(user: User, f: Filters) -> QuerySet[Response]:
    """The visible responses of the chosen kind, period, campaign, account, segment and band."""
    responses = matching_responses(Response.objects.visible_to(user), f).filter(kind=f.kind)
    return responses.in_band(f.band)


def comments(user: User, f: Filters) -> QuerySet[Response]:
    """The listed responses with a comment, newest first."""
    return (
        listed(user, f)
        .exclude(comment="")
        .select_related("account", "user", "campaign")
        .order_by("-answered_at", "-pk")
    )


class Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "answered_at",
    "campaign",
    "survey_type",
    "score",
    "band",
    "comment",
    "account",
    "segment",
    "respondent",
    "channel",
]


def export_rows(user: User, f: Filters) -> Iterator[str]:
    """Every listed response as CSV lines, read from the database in chunks."""
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_HEADER)
    rows = (
        listed(user, f)
        .order_by("answered_at", "pk")
        .values_list(
            "answered_at",
            "campaign__name",
            "kind",
            "score",
            "comment",
            "account__name",
            "account__segment",
            "user__email",
            "channel",
        )
    )
    for (
        answered_at,
        campaign,
        kind,
        score,
        comment,
        account,
        segment,
        email,
        channel,
    ) in rows.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                timezone.localtime(answered_at).isoformat(timespec="seconds"),
                campaign,
                kind,
                score,
                band_of(kind, score),
                safe_cell(comment),
                safe_cell(account),
                segment,
                email,
                channel,
            ]
        )
