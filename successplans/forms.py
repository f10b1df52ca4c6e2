"""Forms for success plans. Each item form is told the plan and who is editing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from accounts.access import AccountAccess
from onboarding.models import Side

from .figures import KPI_SOURCES
from .models import (
    KPI,
    ActionItem,
    Milestone,
    Objective,
    PlanHealth,
    PlanTemplate,
    PlanTemplateItem,
    SuccessPlan,
)
from .services import people_for_side

DATE = forms.DateInput(attrs={"type": "date"})
# Far beyond any real KPI, well inside the column: absurd values are refused, not stored.
KPI_LIMIT = Decimal("1000000000")


class PlanForm(forms.Form):
    name = forms.CharField(max_length=200, initial="Success plan")
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE)
    template = forms.ModelChoiceField(
        queryset=PlanTemplate.objects.filter(archived_at__isnull=True),
        required=False,
        empty_label="Blank plan",
        label="Start from",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", "The plan must end after it starts.")
        return data


class PlanItemForm(forms.ModelForm):
    """Shared rules: dates inside the plan, people from this account's right side, no
    'internal' switch for customers, and the version the edit was made on."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, plan: SuccessPlan, access: AccountAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan, self.access = plan, access
        if "internal" in self.fields and not access.is_vendor:
            del self.fields["internal"]
        for name in self.date_fields:
            if name in self.fields:
                self.fields[name].widget = DATE
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.date_fields:
            value = data.get(name)
            if value and value < self.plan.starts_on:
                self.add_error(
                    name, f"This is before the plan starts ({self.plan.starts_on:%-d %b %Y})."
                )
        return data

    def check_person(self, field: str, side: str) -> None:
        person = self.cleaned_data.get(field)
        if (
            person is not None
            and not people_for_side(self.plan.account, side).filter(pk=person.pk).exists()
        ):
            self.add_error(field, "Choose someone from this account's side of the plan.")


class ObjectiveForm(PlanItemForm):
    date_fields = ("target_date",)

    class Meta:
        model = Objective
        fields = ["title", "why", "owner", "target_date", "internal"]
        widgets = {"why": forms.Textarea(attrs={"rows": 2})}
        labels = {"owner": "Owner at the customer"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's foreign key makes a ModelChoiceField; ``self.fields`` holds plain Fields.
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = people_for_side(self.plan.account, Side.CUSTOMER)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_person("owner", Side.CUSTOMER)
        return data


class KPIForm(PlanItemForm):
    date_fields = ("target_date",)

    class Meta:
        model = KPI
        fields = ["name", "unit", "baseline", "target", "current", "target_date", "source"]
        labels = {"current": "Current value"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Entered by hand")] + [(k, label) for k, (label, _) in KPI_SOURCES.items()]
        self.fields["source"] = forms.ChoiceField(
            choices=choices, required=False, label="Updated from"
        )
        if len(choices) == 1:
            del self.fields["source"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("baseline", "target", "current"):
            value = data.get(name)
            if value is not None and abs(value) >= KPI_LIMIT:
                self.add_error(name, "That number is too large for a KPI.")
        if data.get("baseline") is not None and data.get("baseline") == data.get("target"):
            self.add_error("target", "The target must differ from the baseline.")
        return data


class KPIValueForm(forms.Form):
    current = forms.DecimalField(label="Current value", max_digits=14, decimal_places=2)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_current(self) -> Decimal:
        value = self.cleaned_data["current"]
        if abs(value) >= KPI_LIMIT:
            raise forms.ValidationError("That number is too large for a KPI.")
        return value


class MilestoneForm(PlanItemForm):
    date_fields = ("target_date",)

    class Meta:
        model = Milestone
        fields = ["title", "target_date", "owner_side", "status", "internal"]
        labels = {"owner_side": "Owned by"}


class ActionForm(PlanItemForm):
    date_fields = ("due_date",)

    class Meta:
        model = ActionItem
        fields = ["title", "side", "assignee", "due_date", "status", "internal"]
        labels = {"side": "Owned by"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = people_for_side(self.plan.account, Side.CUSTOMER) | people_for_side(
            self.plan.account, Side.VENDOR
        )
        # A foreign key makes a ModelChoiceField, a field with choices a ChoiceField;
        # ``self.fields`` holds them as plain Fields.
        assignee = cast(forms.ModelChoiceField, self.fields["assignee"])
        assignee.queryset = everyone.distinct()
        if not self.access.is_vendor:
            side = cast(forms.ChoiceField, self.fields["side"])
            side.choices = [(Side.CUSTOMER, Side.CUSTOMER.label)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("side"):
            self.check_person("assignee", data["side"])
        return data


class StatusForm(forms.Form):
    status = forms.CharField(max_length=12)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    about = forms.ChoiceField(label="About", required=False)

    def __init__(
        self, *args: Any, items: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # "kind:id" of each item the viewer can see; empty for the plan as a whole.
        about = cast(forms.ChoiceField, self.fields["about"])  # declared above
        about.choices = [("", "The plan as a whole"), *(items or [])]

    def clean_about(self) -> tuple[str, int | None]:
        kind, _, pk = (self.cleaned_data.get("about") or "").partition(":")
        return (kind, int(pk)) if kind and pk.isdigit() else ("", None)


class HealthForm(forms.Form):
    health = forms.ChoiceField(
        choices=[("", "Follow the figures"), *PlanHealth.choices], required=False
    )
    reason = forms.CharField(max_length=500, required=False, widget=forms.TextInput)


class PlanTemplateForm(forms.ModelForm):
    class Meta:
        model = PlanTemplate
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class PlanTemplateItemForm(forms.ModelForm):
    class Meta:
        model = PlanTemplateItem
        fields = ["kind", "title", "detail", "owner_side", "offset_days", "internal"]
        widgets = {"detail": forms.Textarea(attrs={"rows": 2})}


ITEM_FORMS: dict[str, type[PlanItemForm]] = {
    "objective": ObjectiveForm,
    "kpi": KPIForm,
    "milestone": MilestoneForm,
    "action": ActionForm,
}
