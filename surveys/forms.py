from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, CustomerRole, Segment, Stage, User
from portal.content_languages import LanguageVersionsForm, VersionField, attach_versions

from .figures import RESULTS_DAYS, Filters
from .models import (
    DEFAULT_QUESTIONS,
    OTHER_REASON,
    SCORED_KIND_CHOICES,
    SCORED_KINDS,
    TEXTS,
    Audience,
    Band,
    Campaign,
    FollowUp,
    Kind,
    Schedule,
    Survey,
    Trigger,
)


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["name", "kind", "question", "follow_up_question"]
        labels = {"kind": _("Type")}
        help_texts = {
            "kind": _("NPS asks 0–10, CSAT 1–5, CES 1–7."),
            "question": _("Customers see this, with the score buttons under it."),
        }
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Exit surveys are offboarding's, made with the churn reasons as their choices.
        if self.instance.kind != Kind.EXIT:
            kind = cast(forms.ChoiceField, self.fields["kind"])
            kind.choices = SCORED_KIND_CHOICES
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault(
                "question", DEFAULT_QUESTIONS[Kind.NPS].format(vendor=settings.VENDOR_NAME)
            )
        # The question and follow-up question in other languages, each optional: a reader
        # whose language has none reads the default ones above.
        self.versions = LanguageVersionsForm(
            self.data if self.is_bound else None,
            texts=[
                VersionField("question", _("Question"), TEXTS["question"]),
                VersionField(
                    "follow_up_question", _("Follow-up question"), TEXTS["follow_up_question"]
                ),
            ],
            versions=self.instance.translations,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if attach_versions(self, self.versions):
            self.instance.translations = self.versions.versions()
        return data


# A field that only one audience or schedule needs: field -> (the choice, its values that
# need it). The form shows each in a fieldset marked ``data-show-when`` (static/js/conditional.js
# hides the others), and :meth:`CampaignForm.clean` ignores it for any other choice.
CONDITIONAL_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "segment": ("audience", (Audience.SEGMENT,)),
    "stage": ("audience", (Audience.STAGE,)),
    "accounts": ("audience", (Audience.ACCOUNTS,)),
    # A recurring campaign may start later: its first wave goes at that date.
    "starts_at": ("schedule", (Schedule.AT, Schedule.EVERY)),
    "repeat_days": ("schedule", (Schedule.EVERY,)),
    "trigger": ("schedule", (Schedule.TRIGGER,)),
}


class CampaignForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=CustomerRole.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[CustomerRole.CHAMPION, CustomerRole.EXECUTIVE],
        label=_("Roles"),
        help_text=_("Who in each account is asked."),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "survey",
            "audience",
            "segment",
            "stage",
            "accounts",
            "roles",
            "schedule",
            "starts_at",
            "repeat_days",
            "trigger",
            "ends_at",
        ]
        labels = {
            "starts_at": _("Send at"),
            "repeat_days": _("Every how many days"),
            "ends_at": _("Stop taking answers at"),
        }
        help_texts = {
            "starts_at": _("For “Again every N days”, the first wave; empty: now."),
        }
        widgets = {
            "audience": forms.RadioSelect,
            "schedule": forms.RadioSelect,
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "accounts": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built from the model: a foreign key's form field is a ModelChoiceField, a many-to-many's
        # a ModelMultipleChoiceField, a field with choices a ChoiceField; ``self.fields`` holds
        # them as plain Fields.
        survey = cast(forms.ModelChoiceField, self.fields["survey"])
        survey.queryset = Survey.objects.active()
        accounts = cast(forms.ModelMultipleChoiceField, self.fields["accounts"])
        accounts.queryset = Account.objects.visible_to(acting_user)
        trigger = cast(forms.ChoiceField, self.fields["trigger"])
        trigger.choices = [c for c in Trigger.choices if c[0]]
        trigger.required = False
        cast(forms.ChoiceField, self.fields["segment"]).choices = [("", "—"), *Segment.choices]
        cast(forms.ChoiceField, self.fields["stage"]).choices = [("", "—"), *Stage.choices]
        if acting_user.is_csm:
            self.fields["audience"].help_text = _("A CSM's campaign reaches their own portfolio.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # Only the fields the chosen audience and schedule need are used: the others are
        # emptied (and whatever was typed in them ignored), so a campaign never carries a
        # segment it does not ask or a date it does not keep.
        for name, (choice, values) in CONDITIONAL_FIELDS.items():
            if data.get(choice) not in values:
                self.errors.pop(name, None)
                data[name] = self.fields[name].to_python(None) if name != "accounts" else []
        audience, schedule = data.get("audience"), data.get("schedule")
        if audience == Audience.SEGMENT and not data.get("segment"):
            self.add_error("segment", _("Choose the segment to ask."))
        if audience == Audience.STAGE and not data.get("stage"):
            self.add_error("stage", _("Choose the stage to ask."))
        if audience == Audience.ACCOUNTS and not data.get("accounts"):
            self.add_error("accounts", _("Choose at least one account."))
        now = timezone.now()
        if schedule == Schedule.AT and not data.get("starts_at"):
            self.add_error("starts_at", _("Say when to send it."))
        if data.get("starts_at") and data["starts_at"] <= now:
            self.add_error("starts_at", _("Choose a time in the future, or send it now."))
        if schedule == Schedule.EVERY and not data.get("repeat_days"):
            self.add_error("repeat_days", _("Say every how many days."))
        if schedule == Schedule.TRIGGER and not data.get("trigger"):
            self.add_error("trigger", _("Choose what sends it."))
        ends_at = data.get("ends_at")
        if ends_at and ends_at <= max(now, data.get("starts_at") or now):
            self.add_error("ends_at", _("The end must come after the start."))
        return data

    def clean_repeat_days(self) -> int | None:
        days = self.cleaned_data.get("repeat_days")
        if days is not None and not 1 <= days <= 365:
            raise forms.ValidationError(_("Between 1 and 365 days."))
        return days


class ScoreForm(forms.Form):
    score = forms.IntegerField()

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = survey.scale
        self.fields["score"] = forms.IntegerField(min_value=scale[0], max_value=scale[-1])


class ExitAnswerForm(forms.Form):
    """An exit survey's answer: one of its reasons (or another, in the person's words) and a
    comment."""

    reason = forms.ChoiceField(widget=forms.RadioSelect, label=_("The main reason"))
    other = forms.CharField(
        max_length=200,
        required=False,
        label=_("In your words"),
        help_text=_("For “Another reason”."),
    )
    comment = forms.CharField(
        label=_("Anything else?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = cast(forms.ChoiceField, self.fields["reason"])
        reason.choices = [(c, c) for c in survey.choices] + [(OTHER_REASON, gettext(OTHER_REASON))]
        self.fields["comment"].label = survey.text.follow_up_question or gettext("Anything else?")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == OTHER_REASON and not data.get("other", "").strip():
            self.add_error("other", gettext("Say in a few words why you are leaving."))
        return data

    @property
    def chosen_reason(self) -> str:
        data = self.cleaned_data
        return data["other"].strip() if data["reason"] == OTHER_REASON else data["reason"]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["status", "notes", "customer_note"]
        widgets = {
            "status": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 4}),
            "customer_note": forms.Textarea(attrs={"rows": 4}),
        }


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: until someone resumes them."),
    )

    def clean_until(self) -> Any:
        until = self.cleaned_data.get("until")
        if until and until < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."))
        return until


ALL_TIME = "all"
PERIODS = [
    ("90", _("Last 90 days")),
    (str(RESULTS_DAYS), _("Last 12 months")),
    ("730", _("Last 2 years")),
    (ALL_TIME, _("All time")),
]
INTERVALS = [("month", _("By month")), ("quarter", _("By quarter"))]


class ResultsFilterForm(forms.Form):
    """The results page's filters, read from the query string.

    A value that is not one of the choices is an error the page shows (with a 422), and that
    filter falls back to its default. :meth:`shown` is the form to display: it shows what the
    figures use, defaults included, so the selects and the figures never disagree.
    """

    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), required=False, label=_("Campaign")
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(), required=False, to_field_name="slug", label=_("Account")
    )
    segment = forms.ChoiceField(
        choices=[("", _("Every segment")), *Segment.choices], required=False, label=_("Segment")
    )
    # The scored kinds: an exit answer has no score to chart.
    kind = forms.ChoiceField(choices=SCORED_KIND_CHOICES, required=False, label=_("Survey type"))
    period = forms.ChoiceField(choices=PERIODS, required=False, label=_("Period"))
    interval = forms.ChoiceField(choices=INTERVALS, required=False, label=_("Trend"))
    band = forms.ChoiceField(
        choices=[("", _("Every score")), *Band.choices], required=False, label=_("Score band")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # The copies of the ModelChoiceFields declared above; ``self.fields`` holds plain Fields.
        campaign = cast(forms.ModelChoiceField, self.fields["campaign"])
        # The scored campaigns: an exit survey's answers are read on the offboarding page.
        campaign.queryset = (
            Campaign.objects.visible_to(user)
            .filter(survey__kind__in=SCORED_KINDS)
            .select_related("survey")
        )
        campaign.empty_label = _("Every campaign")
        account = cast(forms.ModelChoiceField, self.fields["account"])
        account.queryset = Account.objects.visible_to(user).only("name", "slug")
        account.empty_label = _("Every account")

    def filters(self) -> Filters:
        """The filters to apply: each valid value, else that filter's default."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        campaign = data.get("campaign")
        period = data.get("period") or str(RESULTS_DAYS)
        return Filters(
            kind=campaign.survey.kind if campaign else (data.get("kind") or Kind.NPS),
            days=None if period == ALL_TIME else int(period),
            interval=data.get("interval") or "month",
            campaign=campaign,
            account=data.get("account"),
            segment=data.get("segment") or "",
            band=data.get("band") or "",
        )

    def problems(self) -> list[str]:
        """What was wrong in the query string, one sentence per filter."""
        return [
            f"{self.fields[name].label or name.capitalize()}: {' '.join(str(e) for e in errors)}"
            for name, errors in self.errors.items()
        ]

    def shown(self) -> ResultsFilterForm:
        """An unbound copy showing the filters the figures use."""
        f = self.filters()
        return ResultsFilterForm(
            user=self.user,
            initial={
                "campaign": f.campaign,
                "account": f.account,
                "segment": f.segment,
                "kind": f.kind,
                "period": ALL_TIME if f.days is None else str(f.days),
                "interval": f.interval,
                "band": f.band,
            },
        )
