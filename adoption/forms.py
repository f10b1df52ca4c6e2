from __future__ import annotations

from typing import Any

from django import forms

from academy.models import Course
from accounts.models import Account, Segment, User
from portal.widgets import QuickForm

from .models import RecommendationKind


class LicenceForm(QuickForm):
    """The account's licensed features: the known ones ticked, and new ones typed."""

    features = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Licensed features"
    )
    more = forms.CharField(
        required=False,
        max_length=500,
        label="Other features",
        help_text="As usage names them, separated by commas.",
    )

    def __init__(self, *args: Any, known: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["features"].choices = [(f, f) for f in known]  # type: ignore[attr-defined]

    def chosen(self) -> list[str]:
        more = [f.strip() for f in self.cleaned_data["more"].split(",")]
        return [*self.cleaned_data["features"], *(f for f in more if f)]


class RecommendationForm(QuickForm):
    feature = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"list": "known-features"})
    )
    kind = forms.ChoiceField(choices=RecommendationKind.choices)
    title = forms.CharField(max_length=200)
    url = forms.CharField(
        label="Link", required=False, max_length=500, help_text="For a resource link."
    )
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(), required=False, help_text="For a course."
    )
    body = forms.CharField(
        label="How-to",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For a short how-to. Markdown: **bold**, lists, links.",
    )
    pinned = forms.BooleanField(
        required=False,
        label="Pin above the general ones",
        help_text="Unticked, it replaces the general recommendations for this feature here.",
    )

    def __init__(self, *args: Any, for_account: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not for_account:  # pinning is about one account's own recommendations
            del self.fields["pinned"]
        self.fields["course"].queryset = Course.objects.filter(  # type: ignore[attr-defined]
            published_at__isnull=False
        ).order_by("title")


class CampaignForm(QuickForm):
    name = forms.CharField(max_length=200)
    feature = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"list": "known-features"})
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(), required=False, help_text="One account…"
    )
    segment = forms.ChoiceField(
        choices=[("", "—"), *Segment.choices], required=False, help_text="…or a whole segment."
    )
    idle_days = forms.IntegerField(
        label="Not used in (days)", min_value=1, max_value=365, initial=30
    )
    headline = forms.CharField(
        max_length=120, help_text="The card's title and the e-mail's subject."
    )
    message = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown: what the feature does for them and how to start.",
    )
    link = forms.CharField(
        required=False, max_length=500, help_text="Where “Try it” leads (optional)."
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.visible_to(  # type: ignore[attr-defined]
            user
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("account")) == bool(data.get("segment")):
            raise forms.ValidationError("Choose one account or one segment.")
        return data
