"""Renewals: each contract's renewal as the CS team runs it (stage, forecast, amounts), the
reasons a renewal is lost, and the renewal checklist both sides tick.

A renewal belongs to one contract (``insights.Contract``) and, through it, to one account;
its amount at stake is the contract's ARR and its date the contract's end. The forecast and the
amounts are the vendor's: the customer's renewal page shows the contract and the checklist only.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Account
from insights.models import Contract
from portal.choices import TextChoices, gettext_lazy


class RenewalStage(TextChoices):
    NOT_STARTED = "not_started", gettext_lazy("Not started")
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    COMMITTED = "committed", gettext_lazy("Committed")
    RENEWED = "renewed", gettext_lazy("Renewed")
    CHURNED = "churned", gettext_lazy("Churned")
    CONTRACTED = "contracted", gettext_lazy("Contracted")
    EXPANDED = "expanded", gettext_lazy("Expanded")


# A renewal in one of these is over: it has a closed_at.
CLOSED_STAGES = frozenset(
    {RenewalStage.RENEWED, RenewalStage.CHURNED, RenewalStage.CONTRACTED, RenewalStage.EXPANDED}
)
# These carry the amount the customer signed (or said they will sign) for.
COMMITTED_STAGES = frozenset(
    {RenewalStage.COMMITTED, RenewalStage.RENEWED, RenewalStage.EXPANDED, RenewalStage.CONTRACTED}
)
# These ask why (a reason from the list, and a note).
LOST_STAGES = frozenset({RenewalStage.CHURNED, RenewalStage.CONTRACTED})


class Forecast(TextChoices):
    LIKELY = "likely", gettext_lazy("Likely")
    AT_RISK = "at_risk", gettext_lazy("At risk")
    WILL_CHURN = "will_churn", gettext_lazy("Will churn")


class Side(TextChoices):
    CUSTOMER = "customer", gettext_lazy("Customer")
    VENDOR = "vendor", gettext_lazy("Vendor")


class ChurnReason(models.Model):
    """Why renewals are lost, a list the CS admins keep. A reason no longer offered is made
    inactive, never deleted: the renewals it explains keep it."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Renewal(models.Model):
    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="renewal")
    # The contract's account, kept on the row so the pipeline filters and joins on it directly.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="renewals")
    stage = models.CharField(
        max_length=12, choices=RenewalStage.choices, default=RenewalStage.NOT_STARTED
    )
    forecast = models.CharField(max_length=10, choices=Forecast.choices, default=Forecast.LIKELY)
    forecast_reason = models.CharField(max_length=300, blank=True)
    amount_at_stake = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=gettext_lazy("The contract's ARR."),
    )
    amount_committed = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=gettext_lazy("The ARR the customer signed or said they will sign."),
    )
    renews_on = models.DateField(help_text=gettext_lazy("The contract's end."))
    churn_reason = models.ForeignKey(
        ChurnReason, on_delete=models.PROTECT, null=True, blank=True, related_name="renewals"
    )
    churn_note = models.CharField(max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The reminders already sent for this renewal date ("90:2027-03-31"), so the nightly task
    # sends each once.
    reminders_sent = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Labels entries of the timeline were stored with before, kept in the catalogues so that
    # those entries still read in each language.
    EARLIER_LABELS = (gettext_noop("Renewal of %(product)s"),)

    class Meta:
        ordering = ["renews_on", "pk"]
        indexes = [models.Index(fields=["renews_on", "stage"], name="renewal_date_stage")]

    def __str__(self) -> str:
        return f"{self.account} renewal on {self.renews_on:%Y-%m-%d}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        product = self.contract.product or self.contract.external_id
        return stored_text(gettext_noop("the renewal of %(product)s"), product=product)

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES


class StepTemplate(models.Model):
    """A step of the default renewal checklist, copied into each new renewal."""

    title = models.CharField(max_length=200)
    side = models.CharField(max_length=8, choices=Side.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class RenewalStep(models.Model):
    """A step of one renewal's checklist: the side that does it ticks it."""

    renewal = models.ForeignKey(Renewal, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(max_length=200)
    side = models.CharField(max_length=8, choices=Side.choices)
    position = models.PositiveIntegerField(default=0)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_at is not None
