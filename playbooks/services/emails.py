"""The e-mails playbooks send (tech touch): CS admins write them with merge fields, the
"Send an e-mail" step fills them in for each person and sends them.

A template is Markdown with merge fields in braces (``Hello {first_name}``). A field the portal
does not know is refused when the template is saved, so a typo never reaches a customer.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop

from accounts.activity import record
from accounts.models import Account, User
from portal.content_languages import other_languages, version_errors
from portal.markdown import render_markdown

from ..models import EMAIL_TEXTS, EmailTemplate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Every merge field a template may name, and what it becomes.
MERGE_FIELDS: dict[str, StrOrPromise] = {
    "first_name": gettext_lazy("The person's first name"),
    "name": gettext_lazy("The person's full name"),
    "account": gettext_lazy("The account's name"),
    "csm_name": gettext_lazy("The account's CSM"),
    "portal_link": gettext_lazy("A link to the account in the portal"),
    "score": gettext_lazy("The survey score that started the playbook, if any"),
    "comment": gettext_lazy("The survey comment that started the playbook, if any"),
}

# What the preview fills in (names are data; the comment is read in the page's language).
SAMPLE: dict[str, Any] = {
    "first_name": "Dana",
    "name": "Dana Lee",
    "account": "Acme",
    "csm_name": "Casey Morgan",
    "portal_link": "https://portal.example.com/a/acme/",
    "score": "9",
    "comment": gettext_lazy("The onboarding calls were really helpful."),
}


class _Merge(dict[str, Any]):
    """Fills known fields; an unknown one stays as written (the editor refuses them, but a
    template saved before a field was retired must still send)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def merge_field_errors(text: str) -> list[str]:
    """What is wrong with the braces in ``text``, in words: unknown fields, stray braces."""
    errors: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [
            gettext("A brace is not closed: write {first_name}, or {{ and }} for a literal brace.")
        ]
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in MERGE_FIELDS or spec or conversion:
            known = ", ".join("{" + name + "}" for name in MERGE_FIELDS)
            errors.append(
                gettext("Unknown merge field “%(field)s”: use one of %(known)s.")
                % {"field": "{" + field + "}", "known": known}
            )
    return errors


def fill(text: str, values: dict[str, Any]) -> str:
    try:
        return text.format_map(_Merge(values))
    except (ValueError, IndexError, AttributeError, KeyError):
        return text


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str  # the Markdown, filled in: the plain-text part
    html: str  # the same, rendered and sanitised: the HTML part


def render_email(
    template: EmailTemplate, values: dict[str, Any], *, language: str = ""
) -> RenderedEmail:
    """``template`` filled in with ``values`` (a person's merge fields), in ``language``'s
    version where one was written (else the default text)."""
    subject, body = template.text_for(language or settings.LANGUAGE_CODE)
    subject = " ".join(fill(subject, values).split())
    body = fill(body, values)
    return RenderedEmail(subject=subject, text=body, html=render_markdown(body))


def first_name(user: User) -> str:
    return user.display_name.split()[0] if user.display_name.split() else user.display_name


def merge_values(user: User, account: Account, extra: dict[str, Any]) -> dict[str, Any]:
    """One person's merge fields on ``account``; ``extra`` brings the event's (score, comment).
    Called in the person's language (the CSM stand-in is words)."""
    owner = account.owner
    return {
        "first_name": first_name(user),
        "name": user.display_name,
        "account": account.name,
        "csm_name": owner.display_name if owner else gettext("your customer success team"),
        "portal_link": settings.SITE_URL + reverse("account_home", args=[account.slug]),
        "score": extra.get("score", "") if extra.get("score") is not None else "",
        "comment": extra.get("comment") or "",
    }


def preview(template: EmailTemplate) -> RenderedEmail:
    """``template`` with sample data, as a person reading the page's language gets it."""
    return render_email(template, SAMPLE, language=get_language() or "")


# Saving -------------------------------------------------------------------------------------


def template_errors(template: EmailTemplate) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in ("name", "subject", "body"):
        if not str(getattr(template, field) or "").strip():
            errors.setdefault(field, []).append(gettext("This is required."))
    for field in ("subject", "body"):
        problems = merge_field_errors(getattr(template, field) or "")
        if problems:
            errors.setdefault(field, []).extend(problems)
    problems = version_errors(template.translations, EMAIL_TEXTS)
    if not problems:
        names = dict(other_languages())
        for code, texts in (template.translations or {}).items():
            for text in texts.values():
                problems.extend(f"{names[code]}: {problem}" for problem in merge_field_errors(text))
    if problems:
        errors["translations"] = problems
    return errors


@transaction.atomic
def save_email_template(template: EmailTemplate, *, acting_user: User | None) -> EmailTemplate:
    """Save a new or edited template; refused (``ValidationError``) with an unknown merge field
    or without a subject or body."""
    errors = template_errors(template)
    if errors:
        raise ValidationError(errors)
    creating = template.pk is None
    before = None
    if not creating:
        old = (
            EmailTemplate.objects.filter(pk=template.pk)
            .values("name", "subject", "body", "translations")
            .first()
        )
        before = dict(old) if old else None
    if creating and not template.key:
        template.key = unused_key(template.name)
    if creating and EmailTemplate.objects.filter(key=template.key).exists():
        raise ValidationError({"key": [gettext("Another e-mail already has this key.")]})
    template.save()
    after = {
        "name": template.name,
        "subject": template.subject,
        "body": template.body,
        "translations": template.translations,
    }
    record(
        gettext_noop("created an e-mail template")
        if creating
        else gettext_noop("edited an e-mail template"),
        actor=acting_user,
        target=template,
        before=None if before is None else {k: v for k, v in before.items() if after[k] != v},
        after=after if before is None else {k: v for k, v in after.items() if before.get(k) != v},
        internal=True,
    )
    return template


def unused_key(name: str) -> str:
    """A key for a new template, from its name: ``welcome-call``, ``welcome-call-2``…"""
    from django.utils.text import slugify

    base = slugify(name)[:50] or "email"
    key, n = base, 1
    while EmailTemplate.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


# The built-in e-mails ------------------------------------------------------------------------


def ensure_built_in_email_templates() -> int:
    """Create the welcome series' and the built-in playbooks' templates that are missing; edits made to existing ones are
    kept. Returns how many were created."""
    from ..builtins import EMAILS, WELCOME_SERIES

    created = 0
    for spec in [*WELCOME_SERIES, *EMAILS]:
        if EmailTemplate.objects.filter(key=spec["key"]).exists():
            continue
        save_email_template(EmailTemplate(**spec), acting_user=None)
        created += 1
    return created
