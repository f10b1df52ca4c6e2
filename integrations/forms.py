"""Forms of the integrations app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from accounts.services import staff_teams

from . import outbound
from .models import ChatChannel, ChatTopic, EmbedAccountId
from .outbound import UnsafeURL
from .services.chat import check_webhook_url
from .services.embed import normalise_origin
from .webhook_events import grouped


class EmbedOptionsForm(forms.Form):
    """Which origins may frame the hub, and whether a token's role is trusted on a first visit."""

    allowed_origins = forms.CharField(
        label=_("Allowed origins"),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        required=False,
        help_text=_(
            "One a line: scheme, host and port of the product's pages that frame the hub, "
            "like https://app.example.com. No paths, no wildcards."
        ),
    )
    trust_role_claim = forms.BooleanField(
        label=_("Give newcomers the role their token names"),
        required=False,
        help_text=_(
            "Off, everyone who joins through the product is a member; a champion or CSM "
            "changes roles on the People page. On, the token's role (champion, executive or "
            "member) applies on a person's first visit, never later."
        ),
    )

    def clean_allowed_origins(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["allowed_origins"].splitlines()]
        origins, problems = [], []
        for line in filter(None, lines):
            try:
                origins.append(normalise_origin(line))
            except ValidationError as error:
                problems.extend(error.messages)
        if problems:
            raise ValidationError(problems)
        if len(origins) > 20:
            raise ValidationError(_("At most 20 origins."))
        return origins


class EmbedAccountIdForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.all(), label=_("Account"))
    external_id = forms.CharField(
        label=_("Its id in your product"),
        max_length=100,
        help_text=_("What your backend puts in the token's account claim for this account."),
    )

    def clean_external_id(self) -> str:
        value: str = self.cleaned_data["external_id"].strip()
        if not value or any(c.isspace() for c in value):
            raise ValidationError(_("An id has no spaces."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        account, external_id = data.get("account"), data.get("external_id")
        if account and external_id:
            taken = EmbedAccountId.objects.filter(external_id=external_id).exclude(account=account)
            if taken.exists():
                self.add_error("external_id", _("Another account already has this id."))
        return data


# Chat notifications ------------------------------------------------------------------------------


class ChatChannelForm(forms.ModelForm):
    """A CSM's own channel: told of events on the accounts they own."""

    topics = forms.MultipleChoiceField(
        label=_("Tell the channel of"),
        choices=ChatTopic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of event to be told of.")},
    )

    class Meta:
        model = ChatChannel
        fields = ["kind", "name", "webhook_url", "active"]
        widgets = {
            "kind": forms.RadioSelect,
            "webhook_url": forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }
        labels = {"kind": _("Where"), "active": _("On")}
        help_texts = {
            "webhook_url": _(
                "Slack: Apps → Incoming Webhooks → Add New Webhook to Workspace. "
                "Teams: the channel's Workflows → “Post to a channel when a webhook request is "
                "received”. Kept secret: anyone holding it can post to the channel."
            ),
            "active": _("Untick to pause the channel without losing its settings."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Topics after the address, before the on/off switch.
        self.order_fields(
            [*(f for f in self.fields if f not in ("topics", "active")), "topics", "active"]
        )
        instance = self.instance
        self.initial["topics"] = instance.topics  # a new channel: the model's defaults
        if instance.pk:
            # The saved URL is a secret: not sent back to the browser; blank keeps it.
            self.fields["webhook_url"].required = False
            self.fields[
                "webhook_url"
            ].help_text = f"Now {instance.masked_url}. Leave blank to keep it."
            self.initial["webhook_url"] = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        url = data.get("webhook_url") or ""
        if not url and self.instance.pk:
            # Kept, and checked again: the kind may have changed.
            url = data["webhook_url"] = ChatChannel.objects.get(pk=self.instance.pk).webhook_url
        if url and data.get("kind"):
            try:
                data["webhook_url"] = check_webhook_url(data["kind"], url)
            except UnsafeURL as error:
                self.add_error("webhook_url", str(error))
        return data

    def channel_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        chosen = set(self.cleaned_data["topics"])
        fields.update({ChatChannel.topic_field(t): t in chosen for t in ChatTopic.values})
        return fields


class TeamChatChannelForm(ChatChannelForm):
    """A CS team's channel: told of events on the accounts of every CSM in the team."""

    team = forms.ChoiceField(label=_("Team"))

    class Meta(ChatChannelForm.Meta):
        fields = ["team", *ChatChannelForm.Meta.fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = staff_teams()
        if self.instance.team and self.instance.team not in teams:
            teams.append(self.instance.team)
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a team")), *((t, t) for t in teams)]
        field.help_text = _("Teams are set on the Team page (console).")


def event_type_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (str(group), [(t.name, f"{t.title} ({t.name})") for t in types])
        for group, types in grouped()
    ]


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("Where the portal POSTs each event, e.g. https://hooks.example.com/portal."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What receives it, e.g. “Data warehouse” or “Slack relay”."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=event_type_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event to send.")},
    )
    active = forms.BooleanField(
        label=_("Active: send events to this URL"), required=False, initial=True
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
