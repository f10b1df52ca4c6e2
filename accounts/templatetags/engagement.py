"""``{% load engagement %}``: portal engagement where a page of another app shows it."""

from __future__ import annotations

from typing import Any

from django import template

from ..figures import RECENT_DAYS, active_people, days_dark
from ..models import Account

register = template.Library()


@register.simple_tag
def account_engagement(account: Account) -> dict[str, Any]:
    """``{% account_engagement account as engagement %}``: days dark and people active in 30
    days (two queries), for the 360° page."""
    return {
        "days_dark": days_dark(account),
        "active_people": active_people(account),
        "recent_days": RECENT_DAYS,
    }
