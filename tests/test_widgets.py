"""Form fields written in Python (portal.widgets): their escaping is Django's, value for value,
lazy and safe texts included (a password's help text is a lazy safe list)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.auth import password_validation
from django.utils.functional import lazy
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from portal.widgets import QuickForm, escape_html, fields_html


def _safe_list() -> str:
    return mark_safe("<ul><li>At least 8 characters</li></ul>")


VALUES: list[Any] = [
    "plain",
    "<b>\"quoted\" & 'apostrophe'</b>",
    mark_safe("<em>already safe</em>"),
    gettext_lazy("Name"),
    lazy(_safe_list, str)(),
    42,
    None,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_escape_html_is_conditional_escape(value: Any) -> None:
    assert escape_html(value) == str(conditional_escape(value))


class PasswordForm(QuickForm):
    password = forms.CharField(
        widget=forms.PasswordInput,
        label=gettext_lazy("Password"),
        help_text=password_validation.password_validators_help_text_html(),
    )
    note = forms.CharField(required=False, label="A <note>", help_text="Use <b> & co.")


def test_a_lazy_safe_help_text_keeps_its_html_and_plain_ones_are_escaped() -> None:
    with override("de"):
        html = fields_html(PasswordForm())
    assert '<div class="help" id="id_password_helptext"><ul><li>' in html
    assert "&lt;ul&gt;" not in html
    assert '<label for="id_note">A &lt;note&gt;' in html
    assert "Use &lt;b&gt; &amp; co." in html
