"""Upsell leads (CSQLs), for the book of business and the 360° page. A lead is active while
open or passed to sales; won leads count in NRR as expansion (:mod:`.revenue`)."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from accounts.models import Account

from ..models import ACTIVE_LEAD_STATUSES, UpsellLead

ACCOUNT_LEADS_SHOWN = 12  # the 360° card: the active leads, then the latest closed ones


def _active_leads(accounts: Account | QuerySet[Account]) -> QuerySet[UpsellLead]:
    leads = UpsellLead.objects.filter(status__in=ACTIVE_LEAD_STATUSES)
    if isinstance(accounts, Account):
        leads = leads.filter(account=accounts)
    else:
        leads = leads.filter(account__in=accounts.order_by().values("pk"))
    return leads.select_related("account", "flagged_by").order_by("created_at", "pk")


def open_upsell_leads(accounts: Account | QuerySet[Account]) -> list[UpsellLead]:
    """The active leads (open or passed to sales) of one account or of a set of accounts,
    oldest first (the longest waiting on top), with their account; one query."""
    return list(_active_leads(accounts))


def first_open_upsell_leads(
    accounts: QuerySet[Account], shown: int
) -> tuple[list[UpsellLead], int]:
    """The ``shown`` longest-waiting active leads of ``accounts`` and how many are active in
    all, in one query (the count rides on each row)."""
    leads = list(_active_leads(accounts).annotate(open_total=Window(Count("pk")))[:shown])
    return list[UpsellLead](leads), (int(leads[0].open_total) if leads else 0)


def with_active_leads(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """The accounts with an active lead (the book's "with open CSQLs" filter)."""
    active = UpsellLead.objects.filter(account=OuterRef("pk"), status__in=ACTIVE_LEAD_STATUSES)
    return accounts.filter(Exists(active))


def with_active_lead_count(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Accounts annotated with ``open_csqls``, their active leads (a subquery: the portfolio's
    column costs no query per account)."""
    count = (
        UpsellLead.objects.filter(account=OuterRef("pk"), status__in=ACTIVE_LEAD_STATUSES)
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return accounts.annotate(
        open_csqls=Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
    )


def account_upsell_leads(account: Account) -> list[UpsellLead]:
    """The account's leads for its 360° card: the active ones (newest first), then the
    latest closed ones; one query."""
    active_first = Case(
        When(status__in=ACTIVE_LEAD_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    leads = (
        UpsellLead.objects.filter(account=account)
        .select_related("flagged_by", "offer")
        .annotate(closed_last=active_first)
        .order_by("closed_last", "-created_at", "-pk")
    )
    return list(leads[:ACCOUNT_LEADS_SHOWN])
