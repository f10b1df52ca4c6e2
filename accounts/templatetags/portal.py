from __future__ import annotations

import functools
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language, gettext, pgettext_lazy

from portal.content_languages import versions_html
from portal.widgets import fields_html

register = template.Library()


@register.filter
def can(access: Any, capability: str) -> bool:
    """``{% if access|can:"people.invite" %}``: the tenancy table, asked from a template."""
    return bool(access) and access.can(capability)


@register.simple_tag
def form_fields(form: Any) -> str:
    """``_form_fields.html``'s layout of a form's fields (portal.widgets.fields_html)."""
    return fields_html(form)


@register.simple_tag
def language_versions(versions: Any) -> str:
    """``_language_versions.html``: a form's texts in the other languages (a
    portal.content_languages.LanguageVersionsForm), by portal.content_languages.versions_html."""
    return versions_html(versions)


# Languages that write a noun with a capital letter wherever it stands in a sentence.
NOUNS_CAPITALISED = frozenset({"de"})


@register.filter
def noun(label: Any) -> str:
    """``{{ part.label|noun }}``: a noun label (a health part, a kind of review) inside a
    sentence: "success plan" in English, French and Spanish, "Erfolgsplan" in German, where
    ``|lower`` would write "erfolgsplan". Statuses and other adjectives keep ``|lower``."""
    text = str(label or "")
    if (get_language() or "en").split("-")[0] in NOUNS_CAPITALISED:
        return text
    return text.lower()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter(name="markdown")
def markdown_filter(text: str) -> Any:
    """``{{ task.description|markdown }}``: rendered and sanitised Markdown."""
    from django.utils.safestring import mark_safe

    from portal.markdown import render_markdown

    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 just above


# Words that start with a vowel letter but a consonant sound, and the reverse.
_A_BEFORE = ("one", "once", "user", "use", "uni", "euro")
_AN_BEFORE = ("hour", "honest", "honour", "heir")


@register.filter
def article(word: Any) -> str:
    """``as {{ role|article }} {{ role }}``: "a" or "an", by the word's first sound.

    Initialisms read letter by letter ("a CSM", "an NPS survey") go by the letter's name.
    """
    text = str(word or "").strip()
    if not text:
        return "a"
    first = text.split()[0]
    lowered = first.lower()
    if first.isupper() and len(first) > 1:  # CSM, CS, NPS, API: the letter's name
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    if lowered.startswith(_AN_BEFORE):
        return "an"
    if lowered.startswith(_A_BEFORE):
        return "a"
    return "an" if lowered[0] in "aeiou" else "a"


# A role after "as" in a sentence ("invited you to join Acme's portal as a champion"), in the
# reader's language: English wants its article, German, French and Spanish the bare noun
# ("als Champion", "en tant que champion"), which their catalogues give.
ROLE_AS = {
    "champion": pgettext_lazy("a role, after 'as'", "a champion"),
    "executive": pgettext_lazy("a role, after 'as'", "an executive"),
    "member": pgettext_lazy("a role, after 'as'", "a member"),
    "csm": pgettext_lazy("a role, after 'as'", "a Customer Success Manager"),
    "admin": pgettext_lazy("a role, after 'as'", "a CS admin"),
}


@register.filter
def as_role(role: Any) -> str:
    """``as {{ invitation.role|as_role }}``: the stored role's value as words after "as", with
    its article where the language has one ("a champion", "Champion")."""
    phrase = ROLE_AS.get(str(role or ""))
    return str(phrase) if phrase is not None else with_article(role)


@register.filter
def translate_stored(text: Any) -> str:
    """``{{ entry.verb|translate_stored }}``: a text stored in English as a code of sorts (an
    activity's verb, marked with ``gettext_noop`` where it is written), in the reader's
    language; one the catalogue does not know (an old entry's) as it was stored."""
    return gettext(str(text)) if text else ""


@register.filter
def with_article(word: Any) -> str:
    """``{{ invitation.get_role_display|lower|with_article }}``: "an executive", "a member"."""
    return f"{article(word)} {word}"


@register.filter
def isotime(value: Any) -> str:
    """``<time datetime="{{ entry.created_at|isotime }}">``: ISO 8601 to the second.

    ``|date:"c"`` keeps microseconds, which the HTML ``datetime`` attribute does not allow.
    """
    if not value:
        return ""
    if hasattr(value, "hour"):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return str(value.replace(microsecond=0).isoformat())
    return str(value.isoformat())


@functools.lru_cache(maxsize=4096)
def _reverse(prefix: str, urlconf: str | None, name: str, args: tuple[Any, ...]) -> str:
    return reverse(name, urlconf=urlconf, args=args)


@register.simple_tag
def nav_url(name: str, *args: Any) -> str:
    """``{% nav_url 'people' account.slug %}``: ``{% url %}`` for the layout's links, worked out
    once per process for each page, account and mount (the script prefix: /embed/ or none)."""
    return _reverse(get_script_prefix(), get_urlconf(), name, tuple(str(a) for a in args))
