from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.models import Account, CustomerRole, Segment, Stage, User

from .models import (
    DEFAULT_QUESTIONS,
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
        labels = {"kind": "Type"}
        help_texts = {
            "kind": "NPS asks 0–10, CSAT 1–5, CES 1–7.",
            "question": "Customers see this, with the score buttons under it.",
        }
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault(
                "question", DEFAULT_QUESTIONS[Kind.NPS].format(vendor=settings.VENDOR_NAME)
            )


class CampaignForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=CustomerRole.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[CustomerRole.CHAMPION, CustomerRole.EXECUTIVE],
        help_text="Who in each account is asked.",
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
            "starts_at": "Send at",
            "repeat_days": "Every how many days",
            "ends_at": "Stop taking answers at",
        }
        help_texts = {
            "segment": "With the audience “A segment”.",
            "stage": "With the audience “A lifecycle stage”.",
            "accounts": "With the audience “Chosen accounts”.",
            "starts_at": "With “At a date and time” (and the first wave of “Again every N days”).",
            "trigger": "With “When something happens”.",
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
        self.fields["survey"].queryset = Survey.objects.active()  # type: ignore[attr-defined]
        self.fields["accounts"].queryset = Account.objects.visible_to(acting_user)  # type: ignore[attr-defined]
        self.fields["trigger"].choices = [c for c in Trigger.choices if c[0]]  # type: ignore[attr-defined]
        self.fields["trigger"].required = False
        self.fields["segment"].choices = [("", "—"), *Segment.choices]  # type: ignore[attr-defined]
        self.fields["stage"].choices = [("", "—"), *Stage.choices]  # type: ignore[attr-defined]
        if acting_user.is_csm:
            self.fields["audience"].help_text = "A CSM's campaign reaches their own portfolio."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        audience, schedule = data.get("audience"), data.get("schedule")
        if audience == Audience.SEGMENT and not data.get("segment"):
            self.add_error("segment", "Choose the segment to ask.")
        if audience == Audience.STAGE and not data.get("stage"):
            self.add_error("stage", "Choose the stage to ask.")
        if audience == Audience.ACCOUNTS and not data.get("accounts"):
            self.add_error("accounts", "Choose at least one account.")
        now = timezone.now()
        if schedule == Schedule.AT:
            if not data.get("starts_at"):
                self.add_error("starts_at", "Say when to send it.")
            elif data["starts_at"] <= now:
                self.add_error("starts_at", "Choose a time in the future, or send it now.")
        if schedule == Schedule.EVERY and not data.get("repeat_days"):
            self.add_error("repeat_days", "Say every how many days.")
        if schedule == Schedule.TRIGGER and not data.get("trigger"):
            self.add_error("trigger", "Choose what sends it.")
        if schedule != Schedule.TRIGGER:
            data["trigger"] = ""
        if schedule != Schedule.EVERY:
            data["repeat_days"] = None
        ends_at = data.get("ends_at")
        if ends_at and ends_at <= max(now, data.get("starts_at") or now):
            self.add_error("ends_at", "The end must come after the start.")
        return data

    def clean_repeat_days(self) -> int | None:
        days = self.cleaned_data.get("repeat_days")
        if days is not None and not 1 <= days <= 365:
            raise forms.ValidationError("Between 1 and 365 days.")
        return days


class ScoreForm(forms.Form):
    score = forms.IntegerField()

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = survey.scale
        self.fields["score"] = forms.IntegerField(min_value=scale[0], max_value=scale[-1])


class CommentForm(forms.Form):
    comment = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
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
    reason = forms.CharField(max_length=200, required=False)
    until = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: until someone resumes them.",
    )

    def clean_until(self) -> Any:
        until = self.cleaned_data.get("until")
        if until and until < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        return until


PERIODS = [
    ("90", "Last 90 days"),
    ("365", "Last 12 months"),
    ("730", "Last 2 years"),
    ("all", "All time"),
]
INTERVALS = [("month", "By month"), ("quarter", "By quarter")]


class ResultsFilterForm(forms.Form):
    """The results page's filters. Anything unexpected falls back to the defaults."""

    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False)
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(), required=False, to_field_name="slug"
    )
    segment = forms.ChoiceField(choices=[("", "Every segment"), *Segment.choices], required=False)
    kind = forms.ChoiceField(choices=Kind.choices, required=False, label="Survey type")
    period = forms.ChoiceField(choices=PERIODS, required=False)
    interval = forms.ChoiceField(choices=INTERVALS, required=False, label="Trend")
    band = forms.ChoiceField(
        choices=[("", "Every score"), *Band.choices], required=False, label="Score band"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign = self.fields["campaign"]
        campaign.queryset = Campaign.objects.visible_to(user).select_related("survey")  # type: ignore[attr-defined]
        campaign.empty_label = "Every campaign"  # type: ignore[attr-defined]
        account = self.fields["account"]
        account.queryset = Account.objects.visible_to(user).only("name", "slug")  # type: ignore[attr-defined]
        account.empty_label = "Every account"  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        campaign = data.get("campaign")
        return {
            "campaign": campaign,
            "account": data.get("account"),
            "segment": data.get("segment") or "",
            "kind": campaign.survey.kind if campaign else (data.get("kind") or Kind.NPS),
            "period": data.get("period") or "365",
            "interval": data.get("interval") or "month",
            "band": data.get("band") or "",
        }
