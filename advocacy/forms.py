"""The forms of advocacy: every choice is limited to the account's own people and comments,
so an id from elsewhere is an invalid form (a 422), never a write."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Account, User
from surveys.models import Response

from . import figures
from .models import (
    AskChannel,
    AskKind,
    AskStatus,
    CaseStudy,
    CaseStudyQuote,
    Referral,
    ReferralStatus,
)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.email})"


def _people(account: Account) -> Any:
    return User.objects.filter(memberships__account=account, is_active=True).order_by("name")


class AskForm(forms.Form):
    person = PersonChoiceField(queryset=User.objects.none(), label="Who")
    kind = forms.ChoiceField(choices=AskKind.choices, label="Ask them to")
    channel = forms.ChoiceField(
        choices=[c for c in AskChannel.choices if c[0] != AskChannel.PLAYBOOK],
        label="Asked",
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you ask, in a line or two: they read it with the ask.",
    )

    def __init__(self, account: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(account)  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("yes", "Yes, happy to"), ("no", "No, thank you")])
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="A note for the team",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferenceCallForm(forms.Form):
    advocate = PersonChoiceField(
        queryset=User.objects.none(), help_text="The people who agreed to be a reference."
    )
    prospect = forms.CharField(max_length=200, label="Prospect company")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, account: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["advocate"].queryset = (  # type: ignore[attr-defined]
            _people(account)
            .filter(
                advocacy_asks__account=account,
                advocacy_asks__kind=AskKind.REFERENCE,
                advocacy_asks__status__in=[AskStatus.ACCEPTED, AskStatus.DONE],
            )
            .distinct()
        )


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["company", "contact_name", "contact_email", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"note": "How you know them, what they need: anything that helps us."}


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ReferralStatus.choices)
    outcome = forms.CharField(
        required=False,
        max_length=2000,
        label="Outcome notes",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuoteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Response) -> str:
        return f"“{obj.comment}” — {obj.user.display_name} ({obj.get_kind_display()} {obj.score})"


class CaseStudyForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        label="The story",
        help_text="Markdown. The challenge, what they did, the results (the objectives met are "
        "printed with it).",
    )
    quotes = QuoteChoiceField(
        queryset=Response.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Survey comments to quote. The champion allows each one before it is printed.",
    )

    def __init__(self, account: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = list(figures.quotable_comments(account).values_list("pk", flat=True))
        self.fields["quotes"].queryset = (  # type: ignore[attr-defined]
            Response.objects.filter(pk__in=ids).select_related("user").order_by("-answered_at")
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    allowed = forms.ModelMultipleChoiceField(
        queryset=CaseStudyQuote.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Quotes we may print",
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why not (when you reject)",
    )

    def __init__(self, case_study: CaseStudy, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["allowed"]
        field.queryset = case_study.quotes.all()  # type: ignore[attr-defined]
        field.label_from_instance = lambda q: f"“{q.text}” — {q.said_by}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why, so the team can fix it.")
        return data
