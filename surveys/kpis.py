"""Figures from surveys that a success plan's KPI can follow (they then update nightly)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account
from successplans.figures import register_kpi_source

from .models import Response
from .scoring import nps


@register_kpi_source("nps_12_months", "NPS of this account, last 12 months")
def account_nps(account: Account) -> Decimal | None:
    since = timezone.now() - timedelta(days=365)
    score = nps(Response.objects.filter(account=account, kind="nps", answered_at__gte=since)).score
    return None if score is None else Decimal(str(round(score, 2)))
