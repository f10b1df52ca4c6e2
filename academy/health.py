"""Training completion as a part of the health score (insights calls it through its registry;
it never imports the academy)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext_lazy

from accounts.models import Account
from insights.figures.health import Part, register_part
from portal.i18n import stored_number, stored_text

from .figures import training_completion

# Weighted like the renewal and the pulse until a CS admin says otherwise.
DEFAULT_WEIGHT = 10


@register_part(
    "training",
    gettext_lazy("Training"),
    default_weight=DEFAULT_WEIGHT,
)
def training_part(account: Account, day: date) -> Part | None:
    """The share of assigned courses passed by the people they were assigned to, as it stood at
    the end of ``day``; no data (left out) while nothing is assigned. Its why is a stored text,
    worded in each reader's language."""
    until = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    figures = training_completion(account, until)
    if figures.completion is None:
        return None
    return Part(
        max(0, min(100, round(figures.completion))),
        stored_text(
            ngettext_lazy(
                "%(passed)s of %(assigned)s assigned course passed (%(share)s)",
                "%(passed)s of %(assigned)s assigned courses passed (%(share)s)",
                "assigned",
            ),
            passed=stored_number(figures.passed),
            assigned=stored_number(figures.assigned),
            share=stored_number(figures.completion, "percent"),
        ),
    )
