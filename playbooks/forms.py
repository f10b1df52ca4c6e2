from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.content_languages import LanguageVersionsForm, VersionField, attach_versions

from .conditions import FIELDS as CONDITIONS
from .models import EMAIL_TEXTS, CSMTask, EmailTemplate, Playbook, StepKind, StopIf
from .params import ParamField
from .services.csm_tasks import NOTE_MAX_LENGTH, SNOOZE_CHOICES, assignable_staff
from .services.playbooks import MAX_DELAY_DAYS, MAX_STEPS, step_label
from .steps import load
from .triggers import TRIGGERS


class TaskForm(forms.ModelForm):
    class Meta:
        model = CSMTask
        fields = ["title", "assignee", "due_on", "priority", "reason"]
        labels = {"due_on": _("Due"), "reason": _("Why")}
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff()  # type: ignore[attr-defined]
        self.fields["assignee"].label = _("For")

    def clean_due_on(self) -> Any:
        due = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if due < today - timedelta(days=1) or due > today + timedelta(days=366):
            raise forms.ValidationError(_("Choose a day from today to a year ahead."))
        return due


class SnoozeForm(forms.Form):
    days = forms.TypedChoiceField(choices=list(SNOOZE_CHOICES.items()), coerce=int)


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=assignable_staff(), label=_("Hand over to"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff()  # type: ignore[attr-defined]


class EnableForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("1", _("on")), ("0", _("off"))], coerce=lambda v: v == "1"
    )


class AccountPauseForm(forms.Form):
    """Pausing every playbook for one account: a note on why, for the team."""

    note = forms.CharField(
        max_length=300,
        required=False,
        label=_("Why"),
        help_text=_("Shown to the team on the account, e.g. “Escalation until the fix ships”."),
    )


class EmailTemplateForm(forms.ModelForm):
    """Name, subject and Markdown body of a playbook e-mail; the merge fields are checked by
    :func:`playbooks.services.emails.save_email_template`."""

    class Meta:
        model = EmailTemplate
        fields = ["name", "subject", "body"]
        labels = {"name": _("Name (for you)"), "subject": _("Subject"), "body": _("Message")}
        help_texts = {
            "subject": _("Merge fields work here too, e.g. Welcome to the portal, {first_name}."),
            "body": _(
                "Markdown: **bold**, lists, [links](https://…). Write {{ and }} for a brace."
            ),
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "class": "pb-email-body"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The subject and message in other languages, each optional: a person whose language
        # has none gets the default ones above.
        self.versions = LanguageVersionsForm(
            self.data if self.is_bound else None,
            texts=[
                VersionField("subject", _("Subject"), EMAIL_TEXTS["subject"]),
                VersionField(
                    "body", _("Message"), EMAIL_TEXTS["body"], long=True, css_class="pb-email-body"
                ),
            ],
            versions=self.instance.translations,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if attach_versions(self, self.versions):
            self.instance.translations = self.versions.versions()
        return data


# The playbook editor ---------------------------------------------------------------------------
#
# The editor is one HTML form posted whole, with or without JavaScript. Its names:
#   name, description, trigger, trigger-<setting>, cond-<condition>, apply_to_runs, step_count,
#   step-<i>-kind, step-<i>-delay_days, step-<i>-stop_if, step-<i>-p-<setting>,
# and the button pressed as "action": save, refresh, add, remove-<i>, up-<i>, down-<i>.
# Fields are drawn from the ParamFields of the trigger, the conditions and each step kind;
# the checking is :func:`playbooks.services.playbooks.clean_playbook`'s, not these forms'.


def _choice_list(spec: ParamField) -> list[tuple[str, str]]:
    return [(str(k), str(v)) for k, v in (spec.choices() if spec.choices else [])]


def param_form(fields: list[ParamField], prefix: str, values: dict[str, Any]) -> forms.Form:
    """An unbound form drawing ``fields`` with ``values`` (a setting left empty shows its
    default, as :func:`~playbooks.params.check` would take it), names prefixed ``prefix-``."""
    shown = {
        spec.name: spec.default if values.get(spec.name) in (None, "") else values[spec.name]
        for spec in fields
    }
    form = forms.Form(prefix=prefix, initial=shown)
    for spec in fields:
        drawn: forms.Field
        common: dict[str, Any] = {
            "label": spec.label,
            "required": spec.required,
            "help_text": spec.help,
        }
        if spec.kind == "int":
            drawn = forms.IntegerField(min_value=spec.minimum, max_value=spec.maximum, **common)
        elif spec.kind == "longtext":
            drawn = forms.CharField(
                max_length=spec.max_length, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
        elif spec.kind == "choice":
            choices = _choice_list(spec)
            if not spec.required:
                choices = [("", "—"), *choices]
            drawn = forms.ChoiceField(choices=choices, **common)
        elif spec.kind == "choices":
            drawn = forms.MultipleChoiceField(
                choices=_choice_list(spec), widget=forms.CheckboxSelectMultiple, **common
            )
        elif spec.kind == "bool":
            drawn = forms.BooleanField(**{**common, "required": False})
        else:
            drawn = forms.CharField(max_length=spec.max_length, **common)
        if spec.options.get("language"):  # a text's version in one language
            drawn.widget.attrs["lang"] = spec.options["language"]
        form.fields[spec.name] = drawn
    return form


def read_params(post: QueryDict, fields: list[ParamField], prefix: str) -> dict[str, Any]:
    """What was posted for ``fields`` under ``prefix-``, as strings and lists (unchecked)."""
    values: dict[str, Any] = {}
    for spec in fields:
        key = f"{prefix}-{spec.name}"
        if spec.kind == "choices":
            values[spec.name] = post.getlist(key)
        elif spec.kind == "bool":
            values[spec.name] = key in post
        else:
            values[spec.name] = post.get(key, "")
    return values


@dataclass
class StepDraft:
    kind: str
    delay_days: Any = 0
    stop_if: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "delay_days": self.delay_days,
            "stop_if": self.stop_if,
            "params": self.params,
        }


@dataclass
class PlaybookDraft:
    """The editor's state: a playbook as posted (or as saved), not yet checked."""

    name: str = ""
    description: str = ""
    trigger: str = ""
    trigger_params: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    steps: list[StepDraft] = field(default_factory=list)
    apply_to_runs: bool = False

    @classmethod
    def of(cls, playbook: Playbook | None) -> PlaybookDraft:
        if playbook is None:
            return cls(steps=[StepDraft(kind=StepKind.CREATE_TASK)])
        return cls(
            name=playbook.name,
            description=playbook.description,
            trigger=playbook.trigger,
            trigger_params=dict(playbook.trigger_params or {}),
            conditions=dict(playbook.conditions or {}),
            steps=[
                StepDraft(s.kind, s.delay_days, s.stop_if, dict(s.params or {}))
                for s in playbook.steps.all()
            ],
        )

    @classmethod
    def from_post(cls, post: QueryDict) -> PlaybookDraft:
        trigger = TRIGGERS.get(post.get("trigger", ""))
        kinds = load()
        try:
            count = min(max(int(post.get("step_count", "0")), 0), MAX_STEPS + 1)
        except ValueError:
            count = 0
        steps = []
        for i in range(count):
            kind = post.get(f"step-{i}-kind", "")
            spec = kinds.get(kind)
            steps.append(
                StepDraft(
                    kind=kind,
                    delay_days=post.get(f"step-{i}-delay_days", "0"),
                    stop_if=post.get(f"step-{i}-stop_if", ""),
                    params=read_params(post, spec.fields, f"step-{i}-p") if spec else {},
                )
            )
        return cls(
            name=post.get("name", ""),
            description=post.get("description", ""),
            trigger=post.get("trigger", ""),
            trigger_params=read_params(post, trigger.fields, "trigger") if trigger else {},
            conditions=read_params(post, CONDITIONS, "cond"),
            steps=steps,
            apply_to_runs="apply_to_runs" in post,
        )

    def as_data(self) -> dict[str, Any]:
        """What :func:`~playbooks.services.playbooks.save_playbook` takes."""
        return {
            "name": self.name,
            "description": self.description,
            "trigger": self.trigger,
            "trigger_params": self.trigger_params,
            "conditions": self.conditions,
            "steps": [step.as_data() for step in self.steps],
        }

    def rearrange(self, action: str) -> bool:
        """Apply an "add", "remove-<i>", "up-<i>" or "down-<i>" button; False for anything
        else (save, refresh)."""
        if action == "add":
            if len(self.steps) < MAX_STEPS:
                self.steps.append(StepDraft(kind=StepKind.CREATE_TASK))
            return True
        verb, _dash, index = action.partition("-")
        if verb not in ("remove", "up", "down") or not index.isdigit():
            return False
        i = int(index)
        if not 0 <= i < len(self.steps):
            return True
        if verb == "remove":
            del self.steps[i]
        elif verb == "up" and i > 0:
            self.steps[i - 1], self.steps[i] = self.steps[i], self.steps[i - 1]
        elif verb == "down" and i < len(self.steps) - 1:
            self.steps[i + 1], self.steps[i] = self.steps[i], self.steps[i + 1]
        return True


def _kind_choices() -> list[tuple[str, str]]:
    return [(kind, str(StepKind(kind).label)) for kind in StepKind.values if kind in load()]


class PlaybookMainForm(forms.Form):
    """The playbook's name, description and trigger, drawn (the service checks them)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    trigger = forms.ChoiceField(label=_("When"))

    def __init__(self, *args: Any, url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # With htmx, choosing another trigger swaps in its settings.
        self.fields["trigger"].widget.attrs.update(
            {
                "hx-post": url,
                "hx-trigger": "change",
                "hx-target": "#pb-trigger-settings",
                "hx-swap": "outerHTML",
                "hx-vals": '{"action": "trigger"}',
            }
        )
        self.fields["trigger"].choices = [("", _("Choose a signal…"))] + [  # type: ignore[attr-defined]
            (kind, trigger.label) for kind, trigger in TRIGGERS.items()
        ]


class StepMetaForm(forms.Form):
    """A step's kind, delay and stop rule, drawn (the service checks them)."""

    kind = forms.ChoiceField(label=_("Do"))
    delay_days = forms.IntegerField(
        label=_("After (days)"), min_value=0, max_value=MAX_DELAY_DAYS, help_text=_("0 is at once.")
    )
    stop_if = forms.ChoiceField(
        label=_("Unless"),
        choices=StopIf.choices,
        required=False,
        help_text=_("Only for a delayed step."),
    )

    def __init__(self, *args: Any, url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # With htmx, choosing another kind redraws the editor with that kind's settings.
        self.fields["kind"].widget.attrs.update(
            {
                "hx-post": url,
                "hx-trigger": "change",
                "hx-target": "#pb-editor",
                "hx-swap": "outerHTML",
                "hx-vals": '{"action": "refresh"}',
            }
        )
        self.fields["kind"].choices = _kind_choices()  # type: ignore[attr-defined]


@dataclass
class StepForms:
    index: int
    label: str
    meta: forms.Form
    params: forms.Form | None
    errors: list[str]


@dataclass
class EditorForms:
    main: forms.Form
    trigger: forms.Form | None
    trigger_scanned: bool
    conditions: forms.Form
    steps: list[StepForms]
    errors: list[str]
    general_errors: list[str]


def editor_forms(
    draft: PlaybookDraft, problems: list[tuple[str, str]] | None = None, *, url: str = ""
) -> EditorForms:
    """Everything the editor template draws for ``draft``, with the problems set where they are."""
    problems = problems or []
    kinds = load()
    trigger = TRIGGERS.get(draft.trigger)

    def at(where: str) -> list[str]:
        return [message for place, message in problems if place == where]

    steps = []
    for i, step in enumerate(draft.steps):
        spec = kinds.get(step.kind)
        steps.append(
            StepForms(
                index=i,
                label=step_label(i, step.kind),
                meta=StepMetaForm(
                    url=url,
                    prefix=f"step-{i}",
                    initial={
                        "kind": step.kind,
                        "delay_days": step.delay_days,
                        "stop_if": step.stop_if,
                    },
                ),
                params=param_form(spec.fields, f"step-{i}-p", step.params) if spec else None,
                errors=at(f"step-{i}"),
            )
        )
    step_places = {f"step-{i}" for i in range(len(draft.steps))}
    return EditorForms(
        main=PlaybookMainForm(
            url=url,
            initial={
                "name": draft.name,
                "description": draft.description,
                "trigger": draft.trigger,
            },
        ),
        trigger=param_form(trigger.fields, "trigger", draft.trigger_params)
        if trigger and trigger.fields
        else None,
        trigger_scanned=bool(trigger and trigger.scanned),
        conditions=param_form(CONDITIONS, "cond", draft.conditions),
        steps=steps,
        errors=[message for _field, message in problems],
        general_errors=[message for place, message in problems if place not in step_places],
    )


class TaskNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        error_messages={
            "required": _("Write the note first."),
            "max_length": _("A note is at most %(limit_value)d characters."),
        },
    )
    # Where a plain form post goes back to: Today, or the account page's task panel.
    back_to = forms.ChoiceField(
        choices=[("today", _("Today")), ("account", _("Account"))], required=False
    )

    def message(self) -> str:
        """The first problem, in words, for the page's notice."""
        return str(next(iter(self.errors.get("body", [])), _("This note could not be saved.")))
