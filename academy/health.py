"""Training completion as a part of the health score (insights calls it through its registry;
it never imports the academy)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Account
from insights.figures.health import Part, register_part
from portal.formatting import percent

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
    the end of ``day``; no data (left out) while nothing is assigned."""
    until = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    figures = training_completion(account, until)
    if figures.completion is None:
        return None
    return Part(
        max(0, min(100, round(figures.completion))),
        ngettext(
            "%(passed)s of %(assigned)s assigned course passed (%(share)s)",
            "%(passed)s of %(assigned)s assigned courses passed (%(share)s)",
            figures.assigned,
        )
        % {
            "passed": figures.passed,
            "assigned": figures.assigned,
            "share": percent(figures.completion),
        },
    )
