"""Open upsell leads (CSQLs), for the book of business and the 360° page."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Window

from accounts.models import Account

from ..models import UpsellLead


def _open_leads(accounts: Account | QuerySet[Account]) -> QuerySet[UpsellLead]:
    leads = UpsellLead.objects.filter(status=UpsellLead.Status.OPEN)
    if isinstance(accounts, Account):
        leads = leads.filter(account=accounts)
    else:
        leads = leads.filter(account__in=accounts.order_by().values("pk"))
    return leads.select_related("account", "flagged_by").order_by("created_at", "pk")


def open_upsell_leads(accounts: Account | QuerySet[Account]) -> list[UpsellLead]:
    """The open leads of one account or of a set of accounts, oldest first (the longest
    waiting on top), with their account; one query."""
    return list(_open_leads(accounts))


def first_open_upsell_leads(
    accounts: QuerySet[Account], shown: int
) -> tuple[list[UpsellLead], int]:
    """The ``shown`` longest-waiting open leads of ``accounts`` and how many are open in all,
    in one query (the count rides on each row)."""
    leads = list(_open_leads(accounts).annotate(open_total=Window(Count("pk")))[:shown])
    return list[UpsellLead](leads), (int(leads[0].open_total) if leads else 0)
