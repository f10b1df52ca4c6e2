"""Which accounts a playbook applies to, and why, in words.

``conditions`` on a playbook name, for now, lists of segments, touch models and stages; an
empty or missing list means any.
"""

from __future__ import annotations

from accounts.models import Account

from .models import Playbook

CONDITION_FIELDS = ("segment", "touch_model", "stage")


def matches(playbook: Playbook, account: Account) -> str | None:
    """Why ``playbook`` applies to ``account`` (in words), or None when a condition fails."""
    reasons = []
    for field in CONDITION_FIELDS:
        wanted = (playbook.conditions or {}).get(field) or []
        if not wanted:
            continue
        value = getattr(account, field)
        if value not in wanted:
            return None
        reasons.append(f"{field.replace('_', ' ')} is {getattr(account, f'get_{field}_display')()}")
    return ", ".join(reasons)
