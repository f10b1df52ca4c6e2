from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from .models import CSMTask
from .services.csm_tasks import SNOOZE_CHOICES, assignable_staff


class TaskForm(forms.ModelForm):
    class Meta:
        model = CSMTask
        fields = ["title", "assignee", "due_on", "priority", "reason"]
        labels = {"due_on": "Due", "reason": "Why"}
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff()  # type: ignore[attr-defined]
        self.fields["assignee"].label = "For"

    def clean_due_on(self) -> Any:
        due = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if due < today - timedelta(days=1) or due > today + timedelta(days=366):
            raise forms.ValidationError("Choose a day from today to a year ahead.")
        return due


class SnoozeForm(forms.Form):
    days = forms.TypedChoiceField(choices=list(SNOOZE_CHOICES.items()), coerce=int)


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=assignable_staff(), label="Hand over to")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff()  # type: ignore[attr-defined]


class EnableForm(forms.Form):
    enabled = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda v: v == "1")


class AccountPauseForm(forms.Form):
    """Pausing every playbook for one account: a note on why, for the team."""

    note = forms.CharField(
        max_length=300,
        required=False,
        label="Why",
        help_text="Shown to the team on the account, e.g. “Escalation until the fix ships”.",
    )
