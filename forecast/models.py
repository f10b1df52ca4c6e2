"""The churn forecast: a model trained on the portal's own renewal history, and each account's
churn probability for its next renewal with the features that push it most.

The model is kept as plain numbers (the scaler's means and scales, the coefficients, the
intercept), never as a pickle: nothing loaded from the database can run code.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Account


class ForecastModel(models.Model):
    """One training run that had enough history. The newest one scores the accounts."""

    trained_at = models.DateTimeField(default=timezone.now)
    outcomes = models.PositiveIntegerField(
        help_text=gettext_lazy("Renewal outcomes it learned from.")
    )
    lost = models.PositiveIntegerField(help_text=gettext_lazy("Of those, churned or contracted."))
    auc = models.FloatField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Area under the ROC curve on held-out outcomes."),
    )
    parameters = models.JSONField(
        help_text=gettext_lazy(
            "Features, imputed values, scaler means and scales, coefficients, intercept."
        )
    )

    class Meta:
        ordering = ["-trained_at", "-pk"]
        get_latest_by = "trained_at"

    def __str__(self) -> str:
        return f"Churn model of {self.trained_at:%Y-%m-%d %H:%M}"

    @property
    def activity_label(self) -> str:
        """The timeline's entry has its own time: the label needs none."""
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("the churn forecast"))


class ChurnForecast(models.Model):
    """An account's churn probability for its next renewal, as the newest model saw it."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="churn_forecast")
    model = models.ForeignKey(ForecastModel, on_delete=models.CASCADE, related_name="forecasts")
    probability = models.FloatField()
    drivers = models.JSONField(
        default=list,
        help_text=gettext_lazy("The three features that push it most, worded, with their push."),
    )
    as_of = models.DateField()
    renews_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-probability", "account_id"]
        indexes = [models.Index(fields=["-probability"], name="forecast_by_probability")]

    def __str__(self) -> str:
        return f"{self.account}: {self.probability:.0%}"
