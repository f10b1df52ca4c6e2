"""Texts a CSM writes once per language: a survey's question, a playbook e-mail's subject and
body. The default text stays in its own field; the versions in other languages are kept beside
it as ``{"de": {"question": "…"}, "fr": {…}}`` (a JSON field, so reading them costs no query),
and a reader gets their language's version of each text, else the default one.

    text_in(language, defaults={"question": survey.question}, versions=survey.translations)

:class:`LanguageVersionsForm` draws the versions (a fieldset per language other than the
site's, collapsed), and refuses a language the portal does not speak.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy, pgettext

from portal.widgets import QuickForm, escape_html

# The posted names: "text-<language>-<field>", e.g. "text-de-question".
PREFIX = "text"


def default_language() -> str:
    return str(settings.LANGUAGE_CODE)


def other_languages() -> list[tuple[str, str]]:
    """The languages a text may have a version in: every one the portal speaks but the site's."""
    return [(code, str(name)) for code, name in settings.LANGUAGES if code != default_language()]


def base_language(code: str) -> str:
    """``de-at`` → ``de`` (the portal speaks languages, not regions)."""
    return (code or "").lower().split("-")[0]


def text_in(
    language: str, *, defaults: Mapping[str, str], versions: Mapping[str, Any] | None
) -> dict[str, str]:
    """Each of ``defaults``' texts in ``language``: its version there when one was written,
    else the default. A default left empty (a follow-up question nobody asks) stays empty."""
    own = (versions or {}).get(base_language(language)) or {}
    if not isinstance(own, Mapping):
        own = {}
    return {
        name: (str(own.get(name) or "").strip() or default) if default else default
        for name, default in defaults.items()
    }


def version_errors(versions: Any, fields: Mapping[str, int]) -> list[str]:
    """What is wrong with ``versions`` (``fields``: each text's name and longest length), in
    words; the service's check, whatever a form let through."""
    if not isinstance(versions, Mapping):
        return [gettext("The versions in other languages are not readable.")]
    known = dict(other_languages())
    errors: list[str] = []
    for code, texts in versions.items():
        if code not in known:
            errors.append(
                gettext("“%(code)s” is not a language the portal speaks besides the default.")
                % {"code": code}
            )
            continue
        if not isinstance(texts, Mapping):
            errors.append(
                gettext("The %(language)s version is not readable.") % {"language": known[code]}
            )
            continue
        for name, text in texts.items():
            if name not in fields or not isinstance(text, str):
                errors.append(
                    gettext("The %(language)s version has an unknown text “%(name)s”.")
                    % {"language": known[code], "name": name}
                )
            elif len(text) > fields[name]:
                errors.append(
                    gettext("The %(language)s version is too long (at most %(max)s characters).")
                    % {"language": known[code], "max": fields[name]}
                )
    return errors


@dataclass(frozen=True)
class VersionField:
    """One text that can be written per language: its name, label and longest length."""

    name: str
    label: Any
    max_length: int
    long: bool = False
    css_class: str = ""  # the default text's field's, so both read alike


@dataclass(frozen=True)
class LanguageSection:
    code: str
    name: str
    fields: list[forms.BoundField]
    filled: bool
    invalid: bool


class LanguageVersionsForm(QuickForm):
    """The versions of ``texts`` in each language other than the site's, all optional.

    Bound, it also refuses any posted ``text-<code>-…`` whose code is not one of those
    languages (a hand-made request, a language since removed): a clear error, never ignored.
    """

    def __init__(
        self,
        data: Any = None,
        *,
        texts: list[VersionField],
        versions: Mapping[str, Any] | None = None,
    ) -> None:
        initial = {
            f"{code}-{text.name}": ((versions or {}).get(code) or {}).get(text.name, "")
            for code, _name in other_languages()
            for text in texts
        }
        super().__init__(data, prefix=PREFIX, initial=initial)
        self.texts = texts
        for code, _language in other_languages():
            for text in texts:
                widget = forms.Textarea(attrs={"rows": 6}) if text.long else forms.TextInput()
                widget.attrs["lang"] = code
                if text.css_class:
                    widget.attrs["class"] = text.css_class
                self.fields[f"{code}-{text.name}"] = forms.CharField(
                    label=text.label,
                    max_length=text.max_length,
                    required=False,
                    widget=widget,
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        known = {code for code, _name in other_languages()}
        names = {text.name for text in self.texts}
        for key in self.data if self.is_bound else []:
            if not key.startswith(f"{PREFIX}-"):
                continue
            code, _dash, name = key[len(PREFIX) + 1 :].partition("-")
            if code not in known:
                raise forms.ValidationError(
                    gettext_lazy(
                        "“%(code)s” is not a language the portal speaks besides the default."
                    ),
                    params={"code": code},
                    code="unknown_language",
                )
            if name not in names:
                raise forms.ValidationError(
                    gettext_lazy("“%(name)s” is not a text that can be written per language."),
                    params={"name": name},
                    code="unknown_text",
                )
        return data

    def versions(self) -> dict[str, dict[str, str]]:
        """The cleaned versions: only the languages and texts written in."""
        chosen: dict[str, dict[str, str]] = {}
        for code, _name in other_languages():
            for text in self.texts:
                raw = self.cleaned_data.get(f"{code}-{text.name}") or ""
                value = raw.strip() if text.long else " ".join(raw.split())
                if value:
                    chosen.setdefault(code, {})[text.name] = value
        return chosen

    def sections(self) -> list[LanguageSection]:
        """A fieldset per language: its fields, whether anything is written (or wrong) there."""
        shown = []
        for code, name in other_languages():
            fields = [self[f"{code}-{text.name}"] for text in self.texts]
            shown.append(
                LanguageSection(
                    code=code,
                    name=name,
                    fields=fields,
                    filled=any(str(field.value() or "").strip() for field in fields),
                    invalid=any(field.errors for field in fields),
                )
            )
        return shown


def attach_versions(form: forms.BaseForm, versions: LanguageVersionsForm) -> bool:
    """Check ``versions`` as part of ``form``: their problems are the form's (so it re-shows
    with a 4xx). Returns whether they are valid."""
    if versions.is_valid():
        return True
    for message in versions.non_field_errors():
        form.add_error(None, message)
    if any(versions.errors.get(name) for name in versions.fields):
        form.add_error(None, gettext("Check the versions in other languages below."))
    return False


def versions_html(versions: LanguageVersionsForm) -> str:
    """``_language_versions.html``: a fieldset per other language with its fields, written here
    (the template's loops cost more than the rest of a campaign's page)."""
    # Each message in a call of its own, outside the f-strings: xgettext reads no f-string.
    heading = escape_html(gettext("In other languages"))
    lead = escape_html(
        gettext(
            "Optional. Each person reads the version in their language; where a language "
            "has none, they read the text above."
        )
    )
    written = escape_html(pgettext("a text in a language", "written"))
    out = [
        f'\n<div class="language-versions">\n  <h2>{heading}</h2>\n'
        f'  <p class="muted">{lead}</p>\n  '
    ]
    optional = escape_html(gettext("optional"))
    for section in versions.sections():
        code, name = escape_html(section.code), escape_html(section.name)
        badge = f' <span class="badge badge-info">{written}</span>' if section.filled else ""
        legend = escape_html(gettext("The %(language)s version") % {"language": section.name})
        out.append(
            f'\n  <details class="disclosure language-version"'
            f"{' open' if section.filled or section.invalid else ''}>\n"
            f'    <summary><span translate="no" lang="{code}">{name}</span>{badge}</summary>\n'
            f'    <fieldset lang="{code}">\n'
            f'      <legend class="visually-hidden">{legend}</legend>\n      '
        )
        for field in section.fields:
            errors = "".join(
                f'<p class="error" role="alert">{escape_html(error)}</p>' for error in field.errors
            )
            out.append(
                f'\n      <div class="field field-{escape_html(field.name)}'
                f'{" field-invalid" if field.errors else ""}">\n'
                f'        <label for="{escape_html(field.id_for_label)}">{escape_html(field.label)} '
                f'<span class="muted">({optional})</span></label>\n'
                f"        {field}\n        {errors}\n      </div>\n      "
            )
        out.append("\n    </fieldset>\n  </details>\n  ")
    out.append("\n</div>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped
