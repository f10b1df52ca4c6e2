"""Usage figures a success plan's KPI can follow (they then update nightly)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Account
from successplans.figures import register_kpi_source

from .figures.usage import latest_activity


@register_kpi_source("monthly_active_users", gettext_lazy("Monthly active users"))
def monthly_active_users(account: Account) -> Decimal | None:
    now = latest_activity(account, timezone.localdate())
    return None if now is None else Decimal(now.mau)
