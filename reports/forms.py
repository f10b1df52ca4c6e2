from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Segment
from portal import formatting

from .figures import EARLIEST_YEAR
from .models import Review, WrappedNote, default_title, quarter_of


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = [
            "title",
            "kind",
            "period_start",
            "period_end",
            "summary",
            "risks",
            "recommendations",
        ]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 6}),
            "risks": forms.Textarea(attrs={"rows": 4}),
            "recommendations": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "summary": _(
                "Opens the review, right after what changed since the last one. "
                "Plain text; blank lines start a new paragraph."
            ),
            "risks": _(
                "Printed above the risks the portal finds (missed milestones, what holds "
                "the health score down)."
            ),
            "recommendations": _(
                "What you propose for the next period, above its milestones and open action items."
            ),
        }

    @classmethod
    def for_last_quarter(cls, today: date | None = None) -> ReviewForm:
        today = today or timezone.localdate()
        this_quarter, _quarter_end = quarter_of(today)
        start, end = quarter_of(this_quarter - timedelta(days=1))
        return cls(
            initial={
                # Written in its author's language, like the rest of what they write.
                "title": default_title(start),
                "period_start": start,
                "period_end": end,
            }
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end:
            if start < date(EARLIEST_YEAR, 1, 1):
                self.add_error(
                    "period_start", _("Choose a period from %(year)s on.") % {"year": EARLIEST_YEAR}
                )
            elif end < start:
                self.add_error("period_end", _("The period must end on or after its first day."))
            elif start > timezone.localdate():
                self.add_error("period_start", _("The period has not started yet."))
            elif (end - start).days > 3 * 366:
                self.add_error("period_end", _("Choose a period of at most three years."))
        return data


class WrappedNoteForm(forms.ModelForm):
    class Meta:
        model = WrappedNote
        fields = ["body"]
        labels = {"body": _("Your note to the customer")}
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"body": _("Printed on the last page, signed with your name. Plain text.")}


def year_choices(today: date | None = None) -> list[tuple[int, int]]:
    today = today or timezone.localdate()
    return [(y, y) for y in range(today.year, max(EARLIEST_YEAR, today.year - 5) - 1, -1)]


class WrappedYearForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, choices=year_choices, label=_("Year"))


class BatchForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, choices=year_choices, label=_("Year"))
    segment = forms.ChoiceField(
        choices=[("", _("Every account")), *Segment.choices], required=False, label=_("Accounts")
    )
    email_executives = forms.BooleanField(
        required=False,
        label=_("E-mail each account's executives a link when their Wrapped is ready"),
        help_text=_("Executives who turned off report e-mails are left out."),
    )

    def query(self) -> str:
        """The choices as a query string, for the preview's and the sample's links."""
        data = self.cleaned_data
        params = {"year": data["year"], "segment": data["segment"]}
        if data["email_executives"]:
            params["email_executives"] = "on"
        return urlencode(params)


class ConfirmBatchForm(BatchForm):
    """The preview's "Start" button: the same choices, and how many accounts it showed."""

    accounts = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Check the preview first, and start the batch from there."),
            "invalid": _("Check the preview first, and start the batch from there."),
            "min_value": _("Check the preview first, and start the batch from there."),
        },
    )


class SampleForm(forms.Form):
    """Which account's Wrapped the preview renders as a sample (the first one that gets a
    Wrapped when none is named)."""

    year = forms.TypedChoiceField(coerce=int, choices=year_choices, label=_("Year"))
    segment = forms.ChoiceField(
        choices=[("", _("Every account")), *Segment.choices], required=False
    )
    account = forms.ModelChoiceField(queryset=Account.objects.all(), required=False)


class PublishForm(forms.Form):
    publish = forms.TypedChoiceField(
        choices=[("1", _("Publish")), ("0", _("Unpublish"))], coerce=lambda value: value == "1"
    )


def _months_ahead(today: date, count: int = 12) -> list[tuple[str, str]]:
    months = []
    year, month = today.year, today.month
    for _step in range(count):
        months.append((f"{year:04d}-{month:02d}", formatting.long_month(date(year, month, 1))))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class ReviewAskForm(forms.Form):
    """A champion or executive asking their CSM for a business review."""

    note = forms.CharField(
        label=_("What would you like covered?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Topics, questions, who from your side will attend."),
    )
    preferred_month = forms.ChoiceField(label=_("Preferred month"), required=False)

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["preferred_month"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any month")), *_months_ahead(today or timezone.localdate())]

    def clean_preferred_month(self) -> date | None:
        value = self.cleaned_data.get("preferred_month") or ""
        if not value:
            return None
        year, month = value.split("-")
        return date(int(year), int(month), 1)
