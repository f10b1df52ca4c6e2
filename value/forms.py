from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from babel.numbers import list_currencies
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ValueKPI

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFINITION = [
    "name",
    "driver",
    "unit",
    "baseline",
    "lower_is_better",
    "unit_value",
    "currency",
    "period",
    "agreed_with",
    "notes",
    "shared",
]


def _quantity(label: StrOrPromise) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        error_messages={"invalid": gettext_lazy("Enter a number, such as 120 or 12.5.")},
    )


class ValueKPIForm(forms.ModelForm):
    """A KPI's definition; a new one also takes its current quantity (its first reading)."""

    current = _quantity(gettext_lazy("Current quantity"))

    class Meta:
        model = ValueKPI
        fields = DEFINITION
        labels = {
            "driver": gettext_lazy("Driver"),
            "unit": gettext_lazy("Unit"),
            "baseline": gettext_lazy("Baseline"),
            "currency": gettext_lazy("Currency"),
            "period": gettext_lazy("Period"),
            "notes": gettext_lazy("Notes"),
            "name": gettext_lazy("Name"),
            "unit_value": gettext_lazy("Value of one unit"),
            "lower_is_better": gettext_lazy("A fall is the gain"),
            "agreed_with": gettext_lazy("Agreed with"),
            "shared": gettext_lazy("Share with the customer"),
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, new: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not new:
            del self.fields["current"]
        self.fields["currency"].widget.attrs.update(
            {"maxlength": 3, "autocapitalize": "characters"}
        )
        self.fields["baseline"].error_messages["invalid"] = _(
            "Enter a number, such as 120 or 12.5."
        )
        self.fields["unit_value"].error_messages["invalid"] = _("Enter an amount, such as 55.00.")

    def clean_unit_value(self) -> Decimal:
        value: Decimal = self.cleaned_data["unit_value"]
        if value < 0:
            raise forms.ValidationError(_("A unit's value cannot be negative."))
        return value

    def clean_currency(self) -> str:
        code = str(self.cleaned_data["currency"]).strip().upper()
        if code not in list_currencies():
            raise forms.ValidationError(
                _("“%(code)s” is not a currency code (ISO 4217, such as EUR).") % {"code": code}
            )
        return code


class ReadingForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity = _quantity(gettext_lazy("Quantity"))

    def clean_day(self) -> object:
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A reading cannot be dated in the future."))
        return day

    def message(self) -> str:
        """The errors as one sentence, for a refusal shown above the page."""
        return " ".join(str(e) for errors in self.errors.values() for e in errors)
