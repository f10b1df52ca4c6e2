"""Forms of onboarding: working an account's checklist, and the CSM's checklist-template console."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account, User
from portal import formatting

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .models import (
    CHOSEN_KINDS,
    MAX_LONG_TEXT_ANSWER,
    MAX_OFFSET_DAYS,
    MAX_TEXT_ANSWER,
    AssigneeRole,
    Checklist,
    ChecklistTemplate,
    FieldType,
    Side,
    Task,
    TaskFormField,
    TaskKind,
    TemplateFormField,
    TemplatePhase,
    TemplateTask,
)
from .services import assignable_people, check_form_field

LINK_HELP = gettext_lazy("One a line: a title and the address, or just the address (https://…).")


def clean_links(value: str) -> str:
    for line in value.splitlines():
        parts = line.strip().rsplit(maxsplit=1)
        if parts and not parts[-1].startswith(("https://", "http://")):
            raise forms.ValidationError(
                _("“%(line)s” does not end with an http(s) address.") % {"line": line.strip()}
            )
    return value.strip()


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of person, each shown by name."""

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class PersonAndEmailChoiceField(forms.ModelChoiceField):
    """A choice of person, each shown by name and e-mail address (people of the account and
    of the vendor side by side)."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.email})"


class StartForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=ChecklistTemplate.objects.active(),
        empty_label=None,
        label=gettext_lazy("Template"),
    )
    kickoff_date = forms.DateField(
        label=gettext_lazy("Kickoff date"), widget=forms.DateInput(attrs={"type": "date"})
    )


KIND_HELP = gettext_lazy(
    "An upload task completes when the customer uploads the file it asks for (describe the "
    "file in the description)."
)


def limit_kinds(form: forms.ModelForm) -> None:
    """Offer the kinds a person may choose; a course task keeps its kind (the academy's link)."""
    if form.instance.pk is not None and form.instance.kind == TaskKind.COURSE:
        del form.fields["kind"]
        return
    kind = cast(forms.ChoiceField, form.fields["kind"])
    kind.choices = CHOSEN_KINDS
    kind.help_text = KIND_HELP
    kind.error_messages["invalid_choice"] = _("Choose what completes the task from the list.")


def check_kind(form: forms.ModelForm, data: dict[str, Any]) -> None:
    if data.get("kind") == TaskKind.UPLOAD and data.get("owner_side") == Side.VENDOR:
        form.add_error(
            "kind", _("An upload task is the customer's: the customer uploads the file.")
        )


class TaskForm(forms.ModelForm):
    """Add or edit a task on an account's checklist (vendor staff)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Task
        fields = [
            "phase",
            "title",
            "description",
            "owner_side",
            "kind",
            "assignee",
            "due_date",
            "required",
            "resource_links",
            "is_value_milestone",
            "internal",
        ]
        labels = {
            "phase": gettext_lazy("Phase"),
            "title": gettext_lazy("Title"),
            "description": gettext_lazy("Description"),
            "owner_side": gettext_lazy("Owner side"),
            "assignee": gettext_lazy("Assignee"),
            "due_date": gettext_lazy("Due date"),
            "required": gettext_lazy("Required"),
            "resource_links": gettext_lazy("Resource links"),
            "internal": gettext_lazy("Internal"),
        }
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "resource_links": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "resource_links": LINK_HELP,
            "description": gettext_lazy("Markdown: **bold**, lists, [links](https://…)."),
        }
        field_classes = {"assignee": PersonAndEmailChoiceField}

    def __init__(self, *args: Any, checklist: Checklist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        # Built from the model's foreign keys: ModelChoiceFields, held in ``self.fields`` as
        # plain Fields.
        phase = cast(forms.ModelChoiceField, self.fields["phase"])
        phase.queryset = checklist.phases.all()
        phase.empty_label = None
        account: Account = checklist.account
        people = assignable_people(account, Side.CUSTOMER) | assignable_people(account, Side.VENDOR)
        cast(PersonAndEmailChoiceField, self.fields["assignee"]).queryset = people.distinct()
        limit_kinds(self)

    def clean_resource_links(self) -> str:
        return clean_links(self.cleaned_data.get("resource_links", ""))

    def clean_version(self) -> int | None:
        """An edit names the version it was made on: missing, or one the task never had, is
        not from this task's form (a version it had before is a stale edit, for the service)."""
        version: int | None = self.cleaned_data.get("version")
        if self.instance.pk is not None and (version is None or version > self.instance.version):
            raise forms.ValidationError(_("missing or unknown version"))
        return version

    def clean_due_date(self) -> Any:
        due = self.cleaned_data.get("due_date")
        if due and due < self.checklist.kickoff_date:
            raise forms.ValidationError(
                _("The due date is before the kickoff (%(date)s).")
                % {"date": formatting.short_date(self.checklist.kickoff_date)}
            )
        return due

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(f.name in self.errors for f in self.hidden_fields()):
            # Hidden fields are not shown: say it where the person reads it.
            self.add_error(None, _("This form is not from this task any more: reload the page."))
        check_kind(self, data)
        assignee: User | None = data.get("assignee")
        side = data.get("owner_side")
        if assignee is not None and side:
            allowed = assignable_people(self.checklist.account, side)
            if not allowed.filter(pk=assignee.pk).exists():
                self.add_error(
                    "assignee",
                    _(
                        "A customer task goes to someone of this account; a vendor task to its CSM or a CS admin."
                    ),
                )
        return data


class AssignForm(forms.Form):
    """Choose a task's assignee ("Nobody" is the empty choice). Its ids start with ``assign-``:
    the task page also holds the edit form, which has an assignee too."""

    assignee = PersonChoiceField(
        label=gettext_lazy("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
        error_messages={
            "invalid_choice": gettext_lazy("Choose someone who works on this account.")
        },
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "assign-%s")
        super().__init__(*args, **kwargs)
        # The copy of the PersonChoiceField declared above; ``self.fields`` holds plain Fields.
        assignee = cast(PersonChoiceField, self.fields["assignee"])
        assignee.queryset = assignable_people(task.checklist.account, task.owner_side)
        assignee.initial = task.assignee_id


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Mention someone with @ and their name or e-mail address: they get an e-mail."
        ),
        error_messages={"required": gettext_lazy("Write something first.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)


class DoneForm(forms.Form):
    done = forms.TypedChoiceField(
        choices=[("1", "done"), ("0", "not done")], coerce=lambda v: v == "1"
    )


class ChecklistTaskMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class PortfolioFilters(forms.Form):
    """The onboarding portfolio's filters. Empty means "any" (the form's own "Any status"
    sends ``status=``); anything else must be one of the choices."""

    q = forms.CharField(required=False)
    status = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a status from the list.")},
    )
    sort = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Sort by one of the columns.")},
    )

    def __init__(
        self, *args: Any, statuses: Mapping[str, StrOrPromise], sorts: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The copies of the ChoiceFields declared above; ``self.fields`` holds plain Fields.
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("Any status")),
            *statuses.items(),
        ]
        cast(forms.ChoiceField, self.fields["sort"]).choices = [
            ("", _("Default")),
            *((s, s) for s in sorts),
        ]

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q", "")).strip()[:100]

    def problems(self) -> list[str]:
        return [str(e) for errors in self.errors.values() for e in errors]


class LadderForm(forms.ModelForm):
    class Meta:
        model = Checklist
        fields = ["remind_assignee_after", "remind_champion_after", "remind_csm_after"]
        labels = {
            "remind_assignee_after": gettext_lazy("Remind the assignee after (days overdue)"),
            "remind_champion_after": gettext_lazy("Then the champion after"),
            "remind_csm_after": gettext_lazy("Then the CSM after"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        steps: list[int] = [data[f] for f in self.Meta.fields if data.get(f) is not None]
        if len(steps) == len(self.Meta.fields) and not steps[0] <= steps[1] <= steps[2]:
            raise forms.ValidationError(
                _("Each step of the ladder comes on or after the one before.")
            )
        return data


# The checklist-template console ----------------------------------------------------------------

VENDOR_ROLES = {AssigneeRole.CSM.value, AssigneeRole.NOBODY.value}
CUSTOMER_ROLES = {
    AssigneeRole.CHAMPION.value,
    AssigneeRole.EXECUTIVE.value,
    AssigneeRole.MEMBER.value,
    AssigneeRole.NOBODY.value,
}

_web_address = URLValidator(schemes=["http", "https"])


def clean_resource_links(raw: str) -> str:
    """One link a line, "Title https://…" or just the address; http(s) only, else a message
    naming the line."""
    lines = []
    for number, line in enumerate(raw.splitlines(), start=1):
        line = " ".join(line.split())
        if not line:
            continue
        address = line.rsplit(" ", 1)[-1]
        try:
            _web_address(address)
        except ValidationError:
            raise forms.ValidationError(
                _(
                    "Line %(number)s: “%(address)s” is not a web address. Write one link a "
                    "line: a title, a space and an address that starts with https:// or "
                    "http://, or just the address."
                )
                % {"number": number, "address": address[:80]}
            ) from None
        lines.append(line)
    return "\n".join(lines)


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ChecklistTemplate
        fields = ["name", "description"]
        labels = {
            "name": gettext_lazy("Name"),
            "description": gettext_lazy("Description"),
        }
        widgets = {
            "name": forms.TextInput(attrs={"placeholder": gettext_lazy("Enterprise onboarding")}),
            "description": forms.Textarea(
                attrs={
                    "rows": 3,
                    "placeholder": gettext_lazy("Which customers it fits, how long it runs."),
                }
            ),
        }
        error_messages = {"name": {"required": gettext_lazy("Give the template a name.")}}


class PhaseForm(forms.ModelForm):
    class Meta:
        model = TemplatePhase
        fields = ["name"]
        labels = {"name": gettext_lazy("Phase name")}
        widgets = {"name": forms.TextInput(attrs={"placeholder": gettext_lazy("Kickoff")})}
        error_messages = {"name": {"required": gettext_lazy("Give the phase a name.")}}


class TemplateMoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")],
        error_messages={
            "invalid_choice": gettext_lazy("Move up or down."),
            "required": gettext_lazy("Move up or down."),
        },
    )


class TemplateTaskForm(forms.ModelForm):
    """A template task. Editing offers the template's phases, and only those."""

    due_offset_days = forms.IntegerField(
        label=gettext_lazy("Due, days after kickoff"),
        min_value=0,
        max_value=MAX_OFFSET_DAYS,
        initial=0,
        help_text=gettext_lazy("0 is the kickoff day itself."),
    )

    class Meta:
        model = TemplateTask
        fields = [
            "title",
            "description",
            "owner_side",
            "kind",
            "default_role",
            "due_offset_days",
            "phase",
            "resource_links",
            "required",
            "is_value_milestone",
            "internal",
        ]
        labels = {
            "title": gettext_lazy("Title"),
            "description": gettext_lazy("Description"),
            "owner_side": gettext_lazy("Whose task"),
            "default_role": gettext_lazy("Assigned to"),
            "resource_links": gettext_lazy("Resource links"),
            "required": gettext_lazy("Required to complete onboarding"),
            "is_value_milestone": gettext_lazy("This is the value milestone"),
            "internal": gettext_lazy("Internal to our team"),
        }
        help_texts = {
            "description": gettext_lazy("Markdown: **bold**, lists, [links](https://…)."),
            "default_role": gettext_lazy("Who gets it when onboarding starts."),
            "resource_links": gettext_lazy(
                "One link a line: a title, a space and the address, or just the address."
            ),
            "required": gettext_lazy("Optional tasks do not count towards progress."),
            "internal": gettext_lazy("Never shown to the customer. Only for vendor tasks."),
        }
        widgets = {
            "title": forms.TextInput(attrs={"placeholder": gettext_lazy("Invite your team")}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "resource_links": forms.Textarea(
                attrs={
                    "rows": 3,
                    "placeholder": gettext_lazy("Set-up guide https://docs.example.com/setup"),
                }
            ),
        }
        error_messages = {
            "title": {"required": gettext_lazy("Give the task a title.")},
            "owner_side": {
                "required": gettext_lazy("Choose whose task it is."),
                "invalid_choice": gettext_lazy("Choose the customer or the vendor."),
            },
            "default_role": {"invalid_choice": gettext_lazy("Choose a role from the list.")},
            "phase": {"invalid_choice": gettext_lazy("Choose a phase of this template.")},
        }

    def __init__(
        self, *args: Any, template: ChecklistTemplate | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        days = {"max": MAX_OFFSET_DAYS}
        self.fields["due_offset_days"].error_messages.update(
            {
                "required": _("Give a number of days from 0 to %(max)s.") % days,
                "invalid": _("Give a whole number of days from 0 to %(max)s.") % days,
                "min_value": _("Choose a day from 0 (the kickoff) to %(max)s.") % days,
                "max_value": _("Choose a day from 0 (the kickoff) to %(max)s.") % days,
            }
        )
        if template is None:
            # Adding: the phase comes from the URL.
            del self.fields["phase"]
        else:
            # Built from the model's foreign key: a ModelChoiceField, held as a plain Field.
            phase = cast(forms.ModelChoiceField, self.fields["phase"])
            phase.queryset = template.phases.all()
            phase.empty_label = None
            phase.label = _("Phase")
        limit_kinds(self)

    def clean_resource_links(self) -> str:
        return clean_resource_links(self.cleaned_data.get("resource_links", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_kind(self, data)
        side, role = data.get("owner_side"), data.get("default_role")
        if side == Side.VENDOR and role is not None and role not in VENDOR_ROLES:
            self.add_error(
                "default_role",
                _("A vendor task goes to the CSM, or to nobody until it is assigned."),
            )
        if side == Side.CUSTOMER and role is not None and role not in CUSTOMER_ROLES:
            self.add_error(
                "default_role", _("A customer task goes to someone of the account, not the CSM.")
            )
        if side == Side.CUSTOMER and data.get("internal"):
            self.add_error(
                "internal",
                _(
                    "Internal tasks are hidden from the customer, so only a vendor task can be internal."
                ),
            )
        return data

    @property
    def task_fields(self) -> dict[str, Any]:
        """The cleaned values, as the services take them."""
        return {name: self.cleaned_data[name] for name in self.fields}


# Form tasks ------------------------------------------------------------------------------------


class FormFieldForm(forms.ModelForm):
    """A question of a template's form task, as the template editor adds and edits it."""

    class Meta:
        model = TemplateFormField
        fields = ["label", "field_type", "required", "help_text", "options"]
        labels = {
            "options": gettext_lazy("Options"),
            "label": gettext_lazy("Question"),
            "field_type": gettext_lazy("Answer type"),
            "required": gettext_lazy("An answer is required"),
            "help_text": gettext_lazy("Help text"),
        }
        help_texts = {
            "help_text": gettext_lazy(
                "Shown under the question, to say what a good answer looks like."
            ),
            "options": gettext_lazy("For a choice only: one option a line."),
        }
        widgets = {
            "label": forms.TextInput(
                attrs={"placeholder": gettext_lazy("Who signs off the go-live?")}
            ),
            "options": forms.Textarea(
                attrs={"rows": 3, "placeholder": gettext_lazy("Yes\nNo\nNot sure")}
            ),
        }
        error_messages = {
            "label": {"required": gettext_lazy("Give the question a label.")},
            "field_type": {
                "required": gettext_lazy("Choose an answer type."),
                "invalid_choice": gettext_lazy("Choose an answer type from the list."),
            },
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("field_type") == FieldType.CHOICE:
            options = data.get("options", "")
            data["options"] = "\n".join(o.strip() for o in options.splitlines() if o.strip())
        else:
            data["options"] = ""  # only a choice has options
        try:
            check_form_field(data)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data


class TaskAnswerForm(forms.Form):
    """The customer's answers to a form task: one form field a question, named ``q<id>``,
    checked by type. A wrong answer leaves what was typed in the form."""

    def __init__(self, *args: Any, questions: list[TaskFormField], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "answer-%s")
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field_for(question)
            answer = getattr(question, "answer", None)
            if answer is not None:
                self.initial.setdefault(f"q{question.pk}", answer.value)

    @staticmethod
    def _field_for(question: TaskFormField) -> forms.Field:
        common: dict[str, Any] = {
            "label": question.label,
            "required": question.required,
            "help_text": question.help_text,
        }
        required = {"required": _("Answer this question.")}
        kind = question.field_type
        if kind == FieldType.DATE:
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}),
                error_messages=required | {"invalid": _("Give a date, such as 2026-03-10.")},
                **common,
            )
        if kind == FieldType.NUMBER:
            return forms.DecimalField(
                max_digits=20,
                decimal_places=6,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                error_messages=required
                | {
                    "invalid": _("Give a number, such as 12 or 4.5."),
                    "max_digits": _("Give a number of at most 20 digits."),
                    "max_decimal_places": _("Give at most 6 decimal places."),
                    "max_whole_digits": _("Give a number of at most 14 digits before the point."),
                },
                **common,
            )
        if kind == FieldType.CHOICE:
            options = [(option, option) for option in question.option_list]
            return forms.ChoiceField(
                choices=options,
                widget=forms.RadioSelect,
                error_messages=required | {"invalid_choice": _("Choose one of the options.")},
                **common,
            )
        long_text = kind == FieldType.LONG_TEXT
        return forms.CharField(
            max_length=MAX_LONG_TEXT_ANSWER if long_text else MAX_TEXT_ANSWER,
            widget=forms.Textarea(attrs={"rows": 4}) if long_text else forms.TextInput,
            error_messages=required,
            **common,
        )

    @property
    def answers(self) -> dict[int, Any]:
        """The cleaned answers, by question id, as :func:`~onboarding.services.answer_form`
        takes them."""
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
