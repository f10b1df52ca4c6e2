"""Value realized: the figures the vendor and the customer agree show what the product is
worth to the account ("ROI Calculator" in the hub's programs).

A :class:`ValueKPI` is one such figure: a driver counted in a unit ("hours", "tickets"), its
quantity before the product (baseline) and now, and what one unit is worth in money (an
hourly cost, a cost per ticket). Its money value is worked out in :mod:`value.figures`. The
current quantity has a history, one :class:`ValueReading` per date; the KPI's ``current`` is
the latest reading, kept on the row so a list needs no second query.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from insights.models import portal_currency


class Driver(models.TextChoices):
    """What the KPI counts; the page groups and words a KPI by it."""

    TIME = "time", _("Time saved")
    TICKETS = "tickets", _("Tickets avoided")
    LICENCES = "licences", _("Licences retired")
    COSTS = "costs", _("Costs avoided")
    REVENUE = "revenue", _("Revenue gained")
    OTHER = "other", _("Other")


class Period(models.TextChoices):
    """What one quantity covers: a month's worth, a year's, or a gain that happens once."""

    MONTH = "month", _("Per month")
    YEAR = "year", _("Per year")
    ONE_OFF = "one_off", _("One-off")


class ValueKPI(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="value_kpis")
    name = models.CharField(max_length=120)
    driver = models.CharField(max_length=10, choices=Driver.choices, default=Driver.TIME)
    unit = models.CharField(max_length=40, help_text=_("What the quantity counts: hours, tickets…"))
    baseline = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    current = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    lower_is_better = models.BooleanField(
        default=False,
        help_text=_(
            "The gain is a fall from the baseline (tickets per month down from 900 to 600)."
        ),
    )
    unit_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("What one unit is worth: an hourly cost, a cost per ticket."),
    )
    currency = models.CharField(max_length=3, default=portal_currency, help_text=_("ISO 4217."))
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.MONTH)
    notes = models.TextField(blank=True)
    agreed_with = models.CharField(
        max_length=200, blank=True, help_text=_("Who at the customer agreed this figure.")
    )
    shared = models.BooleanField(
        default=False, help_text=_("Shown to the customer; a draft is the vendor's alone.")
    )
    # The customer's confirmation of the current figure; a new reading asks for it again.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "name", "pk"]
        verbose_name = _("value KPI")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_value__gte=0), name="value_kpi_unit_value_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("value KPI “%(name)s”"), name=self.name)


class ValueReading(models.Model):
    """The KPI's current quantity as recorded on a date; one per date (recording the same
    date again corrects it)."""

    kpi = models.ForeignKey(ValueKPI, on_delete=models.CASCADE, related_name="readings")
    day = models.DateField()
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kpi", "day"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "day"], name="one_value_reading_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.kpi} on {self.day}: {self.quantity}"
