"""Forms of the integrations app."""

from __future__ import annotations

from typing import Any

from django import forms

from . import outbound
from .webhook_events import grouped


def event_type_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (group, [(t.name, f"{t.title} ({t.name})") for t in types]) for group, types in grouped()
    ]


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="Where the portal POSTs each event, e.g. https://hooks.example.com/portal.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    description = forms.CharField(
        max_length=200,
        required=False,
        help_text="What receives it, e.g. “Data warehouse” or “Slack relay”.",
    )
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=event_type_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )
    active = forms.BooleanField(
        label="Active: send events to this URL", required=False, initial=True
    )

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"]).strip()
        try:
            outbound.check_url(url)
        except outbound.UnsafeURL as error:
            raise forms.ValidationError(str(error)) from error
        return url

    @classmethod
    def for_endpoint(cls, endpoint: Any) -> WebhookEndpointForm:
        return cls(
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
                "active": endpoint.active,
            }
        )
