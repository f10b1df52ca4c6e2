"""The forms of advocacy: every choice is limited to the account's own people and comments,
so an id from elsewhere is an invalid form (a 422), never a write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

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
    person = PersonChoiceField(queryset=User.objects.none(), label=gettext_lazy("Who"))
    kind = forms.ChoiceField(choices=AskKind.choices, label=gettext_lazy("Ask them to"))
    channel = forms.ChoiceField(
        choices=[c for c in AskChannel.choices if c[0] != AskChannel.PLAYBOOK],
        label=gettext_lazy("Asked"),
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Note"),
        help_text=gettext_lazy("What you ask, in a line or two: they read it with the ask."),
    )

    def __init__(self, account: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(account)  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=gettext_lazy("Answer"),
        choices=[("yes", gettext_lazy("Yes, happy to")), ("no", gettext_lazy("No, thank you"))],
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        label=gettext_lazy("A note for the team"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferenceCallForm(forms.Form):
    advocate = PersonChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("Advocate"),
        help_text=gettext_lazy("The people who agreed to be a reference."),
    )
    prospect = forms.CharField(max_length=200, label=gettext_lazy("Prospect company"))
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)

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
        labels = {
            "company": gettext_lazy("Company"),
            "contact_name": gettext_lazy("Contact's name"),
            "contact_email": gettext_lazy("Contact's e-mail"),
            "note": gettext_lazy("Note"),
        }
        help_texts = {
            "note": gettext_lazy("How you know them, what they need: anything that helps us.")
        }


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ReferralStatus.choices)
    outcome = forms.CharField(
        required=False,
        max_length=2000,
        label=gettext_lazy("Outcome notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuoteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Response) -> str:
        return f"“{obj.comment}” — {obj.user.display_name} ({obj.get_kind_display()} {obj.score})"


class CaseStudyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        label=gettext_lazy("The story"),
        help_text=gettext_lazy(
            "Markdown. The challenge, what they did, the results (the objectives met are "
            "printed with it)."
        ),
    )
    quotes = QuoteChoiceField(
        queryset=Response.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Quotes"),
        help_text=gettext_lazy(
            "Survey comments to quote. The champion allows each one before it is printed."
        ),
    )

    def __init__(self, account: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = list(figures.quotable_comments(account).values_list("pk", flat=True))
        self.fields["quotes"].queryset = (  # type: ignore[attr-defined]
            Response.objects.filter(pk__in=ids).select_related("user").order_by("-answered_at")
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
    )
    allowed = forms.ModelMultipleChoiceField(
        queryset=CaseStudyQuote.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Quotes we may print"),
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Why not (when you reject)"),
    )

    def __init__(self, case_study: CaseStudy, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["allowed"]
        field.queryset = case_study.quotes.all()  # type: ignore[attr-defined]
        field.label_from_instance = lambda q: f"“{q.text}” — {q.said_by}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("Say why, so the team can fix it."))
        return data
