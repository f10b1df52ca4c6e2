"""Open upsell leads (CSQLs), for the book of business and the 360° page."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Account

from ..models import UpsellLead


def open_upsell_leads(accounts: Account | QuerySet[Account]) -> list[UpsellLead]:
    """The open leads of one account or of a set of accounts, oldest first (the longest
    waiting on top), with their account; one query."""
    leads = UpsellLead.objects.filter(status=UpsellLead.Status.OPEN)
    if isinstance(accounts, Account):
        leads = leads.filter(account=accounts)
    else:
        leads = leads.filter(account__in=accounts.order_by().values("pk"))
    return list(leads.select_related("account", "flagged_by").order_by("created_at", "pk"))
