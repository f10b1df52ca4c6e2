"""Forms of the integrations app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Account

from .models import EmbedAccountId
from .services.embed import normalise_origin


class EmbedOptionsForm(forms.Form):
    """Which origins may frame the hub, and whether a token's role is trusted on a first visit."""

    allowed_origins = forms.CharField(
        label="Allowed origins",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        required=False,
        help_text="One a line: scheme, host and port of the product's pages that frame the hub, "
        "like https://app.example.com. No paths, no wildcards.",
    )
    trust_role_claim = forms.BooleanField(
        label="Give newcomers the role their token names",
        required=False,
        help_text="Off, everyone who joins through the product is a member; a champion or CSM "
        "changes roles on the People page. On, the token's role (champion, executive or "
        "member) applies on a person's first visit, never later.",
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
            raise ValidationError("At most 20 origins.")
        return origins


class EmbedAccountIdForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.all(), label="Account")
    external_id = forms.CharField(
        label="Its id in your product",
        max_length=100,
        help_text="What your backend puts in the token's account claim for this account.",
    )

    def clean_external_id(self) -> str:
        value: str = self.cleaned_data["external_id"].strip()
        if not value or any(c.isspace() for c in value):
            raise ValidationError("An id has no spaces.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        account, external_id = data.get("account"), data.get("external_id")
        if account and external_id:
            taken = EmbedAccountId.objects.filter(external_id=external_id).exclude(account=account)
            if taken.exists():
                self.add_error("external_id", "Another account already has this id.")
        return data
