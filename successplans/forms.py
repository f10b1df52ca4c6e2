"""Forms for success plans. Each item form is told the plan and who is editing."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import AccountAccess
from accounts.models import Account, User
from onboarding.models import Side
from portal import formatting

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .figures import KPI_SOURCES
from .models import (
    EARLIEST_PLAN_DATE,
    KPI,
    LATEST_PLAN_DATE,
    ActionItem,
    Milestone,
    Objective,
    PlanHealth,
    PlanTemplate,
    PlanTemplateItem,
    SuccessPlan,
    plan_period_errors,
    validate_plan_date,
)
from .services import (
    TemplateCandidate,
    may_see_internal,
    people_for_side,
    template_name_errors,
)

DATE_ATTRS = {
    "type": "date",
    "min": EARLIEST_PLAN_DATE.isoformat(),
    "max": LATEST_PLAN_DATE.isoformat(),
}
# Far beyond any real KPI, well inside the column: absurd values are refused, not stored.
KPI_LIMIT = Decimal("1000000000")


class PlanForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=200, initial=gettext_lazy("Success plan")
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"),
        widget=forms.DateInput(attrs=DATE_ATTRS),
        validators=[validate_plan_date],
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"),
        widget=forms.DateInput(attrs=DATE_ATTRS),
        validators=[validate_plan_date],
        help_text=gettext_lazy("A plan runs for 5 years at most."),
    )
    template = forms.ModelChoiceField(
        queryset=PlanTemplate.objects.filter(archived_at__isnull=True),
        required=False,
        empty_label=gettext_lazy("Blank plan"),
        label=gettext_lazy("Start from"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on"):
            for field, message in plan_period_errors(data["starts_on"], data["ends_on"]).items():
                self.add_error(field, message)
        return data


class PlanItemForm(forms.ModelForm):
    """Shared rules: dates inside the plan, people from this account's right side, no
    'internal' switch for customers, and the version the edit was made on."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, plan: SuccessPlan, access: AccountAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan, self.access = plan, access
        if "internal" in self.fields and not may_see_internal(access):
            del self.fields["internal"]
        for name in self.date_fields:
            if name in self.fields:
                self.fields[name].widget = forms.DateInput(attrs=DATE_ATTRS)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.date_fields:
            value = data.get(name)
            if value and value < self.plan.starts_on:
                self.add_error(
                    name,
                    _("This is before the plan starts (%(date)s).")
                    % {"date": formatting.short_date(self.plan.starts_on)},
                )
        return data

    def check_person(self, field: str, side: str) -> None:
        person = self.cleaned_data.get(field)
        if (
            person is not None
            and not people_for_side(self.plan.account, side).filter(pk=person.pk).exists()
        ):
            self.add_error(field, _("Choose someone from this account's side of the plan."))


class ObjectiveForm(PlanItemForm):
    date_fields = ("target_date",)

    class Meta:
        model = Objective
        fields = ["title", "why", "owner", "target_date", "internal"]
        widgets = {"why": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "target_date": gettext_lazy("Target date"),
            "internal": gettext_lazy("Internal"),
            "owner": gettext_lazy("Owner at the customer"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_for_side(self.plan.account, Side.CUSTOMER)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_person("owner", Side.CUSTOMER)
        return data


class KPIForm(PlanItemForm):
    date_fields = ("target_date",)

    class Meta:
        model = KPI
        fields = ["name", "unit", "baseline", "target", "current", "target_date", "source"]
        labels = {
            "name": gettext_lazy("Name"),
            "unit": gettext_lazy("Unit"),
            "baseline": gettext_lazy("Baseline"),
            "target": gettext_lazy("Target"),
            "target_date": gettext_lazy("Target date"),
            "current": gettext_lazy("Current value"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Entered by hand"))] + [
            (k, label) for k, (label, _compute) in KPI_SOURCES.items()
        ]
        self.fields["source"] = forms.ChoiceField(
            choices=choices, required=False, label=_("Updated from")
        )
        if len(choices) == 1:
            del self.fields["source"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("baseline", "target", "current"):
            value = data.get(name)
            if value is not None and abs(value) >= KPI_LIMIT:
                self.add_error(name, _("That number is too large for a KPI."))
        if data.get("baseline") is not None and data.get("baseline") == data.get("target"):
            self.add_error("target", _("The target must differ from the baseline."))
        return data


class KPIValueForm(forms.Form):
    current = forms.DecimalField(
        label=gettext_lazy("Current value"), max_digits=14, decimal_places=2
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_current(self) -> Decimal:
        value = self.cleaned_data["current"]
        if abs(value) >= KPI_LIMIT:
            raise forms.ValidationError(_("That number is too large for a KPI."))
        return value


class MilestoneForm(PlanItemForm):
    date_fields = ("target_date",)

    class Meta:
        model = Milestone
        fields = ["title", "target_date", "owner_side", "status", "internal"]
        labels = {
            "title": gettext_lazy("Title"),
            "target_date": gettext_lazy("Target date"),
            "status": gettext_lazy("Status"),
            "internal": gettext_lazy("Internal"),
            "owner_side": gettext_lazy("Owned by"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.access.can("plans.manage"):  # customers own the customer's side only
            self.fields["owner_side"].choices = [(Side.CUSTOMER, Side.CUSTOMER.label)]  # type: ignore[attr-defined]


class ActionForm(PlanItemForm):
    date_fields = ("due_date",)

    class Meta:
        model = ActionItem
        fields = ["title", "side", "assignee", "due_date", "status", "internal"]
        labels = {
            "title": gettext_lazy("Title"),
            "assignee": gettext_lazy("Assignee"),
            "due_date": gettext_lazy("Due date"),
            "status": gettext_lazy("Status"),
            "internal": gettext_lazy("Internal"),
            "side": gettext_lazy("Owned by"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = people_for_side(self.plan.account, Side.CUSTOMER) | people_for_side(
            self.plan.account, Side.VENDOR
        )
        self.fields["assignee"].queryset = everyone.distinct()  # type: ignore[attr-defined]
        if not self.access.can("plans.manage"):  # customers own the customer's side only
            self.fields["side"].choices = [(Side.CUSTOMER, Side.CUSTOMER.label)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("side"):
            self.check_person("assignee", data["side"])
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=())

    def __init__(
        self, *args: Any, choices: Sequence[tuple[str, StrOrPromise]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices  # type: ignore[attr-defined]


class PrintForm(forms.Form):
    """The print view's one choice. Internal items are left out unless asked for: a printed
    plan is usually handed to the customer."""

    internal = forms.ChoiceField(
        label=gettext_lazy("Include internal items"),
        choices=[("", gettext_lazy("Leave out")), ("1", gettext_lazy("Include"))],
        required=False,
    )

    def includes_internal(self) -> bool:
        return self.cleaned_data.get("internal") == "1"


class PlanSettingsForm(forms.Form):
    champion_edits_kpis = forms.BooleanField(
        label=gettext_lazy("The champion may change KPI definitions"),
        required=False,
        help_text=gettext_lazy(
            "Baselines, targets and target dates. Otherwise the champion updates the "
            "current values only."
        ),
    )


class SaveAsTemplateForm(forms.Form):
    """What to copy from a plan into a new template: every item is listed with what would be
    copied; internal items start unticked, account-specific text starts left out."""

    name = forms.CharField(
        max_length=200,
        help_text=gettext_lazy(
            "Every CSM sees the template library: name the kind of plan, not the account."
        ),
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    copy = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Copy")
    )
    keep_as_written = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Keep as written")
    )

    def __init__(
        self, *args: Any, candidates: list[TemplateCandidate], account: Account, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates, self.account = candidates, account
        self.fields["copy"].choices = [(c.key, c.title) for c in candidates]  # type: ignore[attr-defined]
        self.fields["copy"].initial = [c.key for c in candidates if not c.internal]
        self.fields["keep_as_written"].choices = [  # type: ignore[attr-defined]
            (c.key, c.title) for c in candidates if c.account_specific
        ]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        problem = template_name_errors(name, self.account)
        if problem:
            raise forms.ValidationError(problem)
        return name

    def rows(self) -> list[dict[str, Any]]:
        """Each candidate with whether its boxes are ticked (as sent, or by default)."""
        copy = set(self["copy"].value() or [])
        keep = set(self["keep_as_written"].value() or [])
        return [{"c": c, "copy": c.key in copy, "keep": c.key in keep} for c in self.candidates]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    about = forms.ChoiceField(label=gettext_lazy("About"), required=False)

    def __init__(
        self, *args: Any, items: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # "kind:id" of each item the viewer can see; empty for the plan as a whole.
        self.fields["about"].choices = [("", _("The plan as a whole")), *(items or [])]  # type: ignore[attr-defined]

    def clean_about(self) -> tuple[str, int | None]:
        kind, _colon, pk = (self.cleaned_data.get("about") or "").partition(":")
        return (kind, int(pk)) if kind and pk.isdigit() else ("", None)


class HealthForm(forms.Form):
    health = forms.ChoiceField(
        label=gettext_lazy("Health"),
        choices=[("", gettext_lazy("Follow the figures")), *PlanHealth.choices],
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=500, required=False, widget=forms.TextInput
    )


class PlanTemplateForm(forms.ModelForm):
    class Meta:
        model = PlanTemplate
        fields = ["name", "description"]
        labels = {
            "name": gettext_lazy("Name"),
            "description": gettext_lazy("Description"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class PlanTemplateItemForm(forms.ModelForm):
    class Meta:
        model = PlanTemplateItem
        fields = ["kind", "title", "detail", "owner_side", "offset_days", "internal"]
        labels = {
            "kind": gettext_lazy("Kind"),
            "title": gettext_lazy("Title"),
            "detail": gettext_lazy("Detail"),
            "owner_side": gettext_lazy("Owner side"),
            "internal": gettext_lazy("Internal"),
        }
        widgets = {"detail": forms.Textarea(attrs={"rows": 2})}


ITEM_FORMS: dict[str, type[PlanItemForm]] = {
    "objective": ObjectiveForm,
    "kpi": KPIForm,
    "milestone": MilestoneForm,
    "action": ActionForm,
}


class SignOffRequestForm(forms.Form):
    """Ask the customer to sign off a milestone: a named approver, or any champion or
    executive."""

    approver = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any champion or executive"),
        label=gettext_lazy("Who signs off"),
    )
    note = forms.CharField(label=gettext_lazy("What to check"), max_length=500, required=False)

    def __init__(self, *args: Any, approvers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["approver"]).queryset = approvers


class SignOffRejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=2000, required=False)
