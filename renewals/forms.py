"""Renewals' forms: each checks what a request sends before a view calls a service, so bad
input is a 4xx with its message, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import ChurnReason, Forecast, RenewalStage, Side


class PipelineFilterForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label=_("Every CSM"), label=_("Owner")
    )
    forecast = forms.ChoiceField(
        choices=[("", _("Any forecast")), *Forecast.choices], required=False, label=_("Forecast")
    )
    stage = forms.ChoiceField(
        choices=[("", _("Any stage")), *RenewalStage.choices], required=False, label=_("Stage")
    )

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = owners

    def options(self, name: str) -> list[tuple[str, str, bool]]:
        """A filter's ``<option>``s as (value, label, selected), for the page to write in a
        plain loop (Django's widget templates cost more than the rest of the form)."""
        current = self[name].value()
        chosen = "" if current is None else str(current)
        return [
            (str(value), str(label), str(value) == chosen)
            for value, label in self.fields[name].choices  # type: ignore[attr-defined]
        ]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        owner = data.get("owner")
        return {
            "owner": owner.pk if owner else None,
            "forecast": data.get("forecast") or "",
            "stage": data.get("stage") or "",
        }


class RenewalForm(forms.Form):
    stage = forms.ChoiceField(choices=RenewalStage.choices, label=_("Stage"))
    forecast = forms.ChoiceField(choices=Forecast.choices, label=_("Forecast"))
    forecast_reason = forms.CharField(
        max_length=300,
        required=False,
        label=_("Why this forecast"),
        help_text=_("What the forecast rests on: a conversation, a signal, a budget."),
    )
    amount_committed = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        label=_("Amount committed (ARR)"),
        help_text=_("Needed for committed, renewed, expanded and contracted."),
    )
    churn_reason = forms.ModelChoiceField(
        queryset=ChurnReason.objects.none(),
        required=False,
        label=_("Reason lost"),
        help_text=_("Needed for churned and contracted."),
    )
    churn_note = forms.CharField(
        max_length=500,
        required=False,
        label=_("In their words"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, current: ChurnReason | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reasons = ChurnReason.objects.filter(active=True)
        if current is not None:  # a retired reason stays on the renewal it explains
            reasons = ChurnReason.objects.filter(pk=current.pk) | reasons
        field = self.fields["churn_reason"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = reasons.order_by("name")


class TickForm(forms.Form):
    done = forms.BooleanField(required=False)


class ChurnReasonForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("New reason"))


class ReasonActiveForm(forms.Form):
    active = forms.BooleanField(required=False)


class StepTemplateForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Step"))
    side = forms.ChoiceField(choices=Side.choices, label=_("Ticked by"))
