"""Offboarding's forms: each checks what a request sends before a view calls a service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .models import Side


class TickForm(forms.Form):
    done = forms.BooleanField(required=False)


class StepTemplateForm(forms.Form):
    title = forms.CharField(max_length=200, label=gettext_lazy("Step"))
    side = forms.ChoiceField(
        label=gettext_lazy("Side"),
        choices=Side.choices,
        widget=forms.RadioSelect,
        initial=Side.VENDOR,
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", gettext_lazy("Up")), ("down", gettext_lazy("Down"))]
    )
