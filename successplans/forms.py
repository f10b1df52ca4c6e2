"""Forms for working an account's onboarding checklist."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Account, User

from .models import Checklist, ChecklistTemplate, Side, Task
from .services import assignable_people

LINK_HELP = "One a line: a title and the address, or just the address (https://…)."


def clean_links(value: str) -> str:
    for line in value.splitlines():
        parts = line.strip().rsplit(maxsplit=1)
        if parts and not parts[-1].startswith(("https://", "http://")):
            raise forms.ValidationError(f"“{line.strip()}” does not end with an http(s) address.")
    return value.strip()


class StartForm(forms.Form):
    template = forms.ModelChoiceField(queryset=ChecklistTemplate.objects.active(), empty_label=None)
    kickoff_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class TaskForm(forms.ModelForm):
    """Add or edit a task on an account's checklist (vendor staff)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Task
        fields = [
            "phase",
            "title",
            "description",
            "owner_side",
            "assignee",
            "due_date",
            "required",
            "resource_links",
            "is_value_milestone",
            "internal",
        ]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "resource_links": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "resource_links": LINK_HELP,
            "description": "Markdown: **bold**, lists, [links](https://…).",
        }

    def __init__(self, *args: Any, checklist: Checklist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.fields["phase"].queryset = checklist.phases.all()  # type: ignore[attr-defined]
        self.fields["phase"].empty_label = None  # type: ignore[attr-defined]
        account: Account = checklist.account
        people = assignable_people(account, Side.CUSTOMER) | assignable_people(account, Side.VENDOR)
        self.fields["assignee"].queryset = people.distinct()  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = lambda u: f"{u.display_name} ({u.email})"  # type: ignore[attr-defined]

    def clean_resource_links(self) -> str:
        return clean_links(self.cleaned_data.get("resource_links", ""))

    def clean_due_date(self) -> Any:
        due = self.cleaned_data.get("due_date")
        if due and due < self.checklist.kickoff_date:
            raise forms.ValidationError(
                f"The due date is before the kickoff ({self.checklist.kickoff_date:%-d %b %Y})."
            )
        return due

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        assignee: User | None = data.get("assignee")
        side = data.get("owner_side")
        if assignee is not None and side:
            allowed = assignable_people(self.checklist.account, side)
            if not allowed.filter(pk=assignee.pk).exists():
                self.add_error(
                    "assignee",
                    "A customer task goes to someone of this account; a vendor task to its CSM or a CS admin.",
                )
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody"
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_people(
            task.checklist.account, task.owner_side
        )  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]
        self.fields["assignee"].initial = task.assignee_id


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DoneForm(forms.Form):
    done = forms.TypedChoiceField(
        choices=[("1", "done"), ("0", "not done")], coerce=lambda v: v == "1"
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class LadderForm(forms.ModelForm):
    class Meta:
        model = Checklist
        fields = ["remind_assignee_after", "remind_champion_after", "remind_csm_after"]
        labels = {
            "remind_assignee_after": "Remind the assignee after (days overdue)",
            "remind_champion_after": "Then the champion after",
            "remind_csm_after": "Then the CSM after",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        steps = [data.get(f) for f in self.Meta.fields]
        if all(s is not None for s in steps) and not steps[0] <= steps[1] <= steps[2]:
            raise forms.ValidationError("Each step of the ladder comes on or after the one before.")
        return data
