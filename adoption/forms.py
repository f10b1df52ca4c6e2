from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from academy.models import Course
from accounts.models import Account, Segment, User
from portal.content_languages import LanguageVersionsForm, VersionField, attach_versions
from portal.widgets import QuickForm

from .models import RecommendationKind

# A campaign's headline and message, in the default language and in each other one.
HEADLINE_LENGTH = 120
MESSAGE_LENGTH = 2000


class LicenceForm(QuickForm):
    """The account's licensed features: the known ones ticked, and new ones typed."""

    features = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Licensed features")
    )
    more = forms.CharField(
        required=False,
        max_length=500,
        label=_("Other features"),
        help_text=_("As usage names them, separated by commas."),
    )

    def __init__(self, *args: Any, known: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["features"].choices = [(f, f) for f in known]  # type: ignore[attr-defined]

    def chosen(self) -> list[str]:
        more = [f.strip() for f in self.cleaned_data["more"].split(",")]
        return [*self.cleaned_data["features"], *(f for f in more if f)]


class RecommendationForm(QuickForm):
    feature = forms.CharField(
        label=_("Feature"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "known-features"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=RecommendationKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.CharField(
        label=_("Link"), required=False, max_length=500, help_text=_("For a resource link.")
    )
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(),
        label=_("Course"),
        required=False,
        help_text=_("For a course."),
    )
    body = forms.CharField(
        label=_("How-to"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a short how-to. Markdown: **bold**, lists, links."),
    )
    pinned = forms.BooleanField(
        required=False,
        label=_("Pin above the general ones"),
        help_text=_("Unticked, it replaces the general recommendations for this feature here."),
    )

    def __init__(self, *args: Any, for_account: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not for_account:  # pinning is about one account's own recommendations
            del self.fields["pinned"]
        self.fields["course"].queryset = Course.objects.filter(  # type: ignore[attr-defined]
            published_at__isnull=False
        ).order_by("title")


class CampaignForm(QuickForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    feature = forms.CharField(
        label=_("Feature"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "known-features"}),
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(),
        label=_("Account"),
        required=False,
        help_text=_("One account…"),
    )
    segment = forms.ChoiceField(
        choices=[("", "—"), *Segment.choices],
        label=_("Segment"),
        required=False,
        help_text=_("…or a whole segment."),
    )
    idle_days = forms.IntegerField(
        label=_("Not used in (days)"), min_value=1, max_value=365, initial=30
    )
    headline = forms.CharField(
        label=_("Headline"),
        max_length=HEADLINE_LENGTH,
        help_text=_("The card's title and the e-mail's subject."),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown: what the feature does for them and how to start."),
    )
    link = forms.CharField(
        label=_("Link"),
        required=False,
        max_length=500,
        help_text=_("Where “Try it” leads (optional)."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.visible_to(  # type: ignore[attr-defined]
            user
        ).order_by("name")
        # The headline and message in other languages, each optional: a person whose language
        # has none reads the default ones above.
        self.versions = LanguageVersionsForm(
            self.data if self.is_bound else None,
            texts=[
                VersionField("headline", _("Headline"), HEADLINE_LENGTH),
                VersionField("message", _("Message"), MESSAGE_LENGTH, long=True),
            ],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if attach_versions(self, self.versions):
            data["translations"] = self.versions.versions()
        if bool(data.get("account")) == bool(data.get("segment")):
            raise forms.ValidationError(_("Choose one account or one segment."))
        return data
