"""Figures from surveys that a success plan's KPI can follow (they then update nightly)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from accounts.models import Account
from successplans.figures import register_kpi_source

from .figures import account_nps


@register_kpi_source("nps_12_months", "NPS of this account, last 12 months")
def account_nps_kpi(account: Account) -> Decimal | None:
    """The account panel's NPS (the last 12 months), stored with two decimals."""
    score = account_nps(account).score
    return None if score is None else Decimal(str(score)).quantize(Decimal("0.01"), ROUND_HALF_UP)
