"""The e-mails playbooks send (tech touch): CS admins write them with merge fields, the
"Send an e-mail" step fills them in for each person and sends them.

A template is Markdown with merge fields in braces (``Hello {first_name}``). A field the portal
does not know is refused when the template is saved, so a typo never reaches a customer.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_noop

from accounts.activity import record
from accounts.models import Account, User
from portal.content_languages import other_languages, version_errors
from portal.markdown import render_markdown

from ..models import EMAIL_TEXTS, EmailTemplate

# Every merge field a template may name, and what it becomes.
MERGE_FIELDS: dict[str, str] = {
    "first_name": "The person's first name",
    "name": "The person's full name",
    "account": "The account's name",
    "csm_name": "The account's CSM",
    "portal_link": "A link to the account in the portal",
    "score": "The survey score that started the playbook, if any",
    "comment": "The survey comment that started the playbook, if any",
}

# What the preview fills in.
SAMPLE: dict[str, str] = {
    "first_name": "Dana",
    "name": "Dana Lee",
    "account": "Acme",
    "csm_name": "Casey Morgan",
    "portal_link": "https://portal.example.com/a/acme/",
    "score": "9",
    "comment": "The onboarding calls were really helpful.",
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
        return ["A brace is not closed: write {first_name}, or {{ and }} for a literal brace."]
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in MERGE_FIELDS or spec or conversion:
            known = ", ".join("{" + name + "}" for name in MERGE_FIELDS)
            errors.append(f"Unknown merge field “{{{field}}}”: use one of {known}.")
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
    """One person's merge fields on ``account``; ``extra`` brings the event's (score, comment)."""
    owner = account.owner
    return {
        "first_name": first_name(user),
        "name": user.display_name,
        "account": account.name,
        "csm_name": owner.display_name if owner else "your customer success team",
        "portal_link": settings.SITE_URL + reverse("account_home", args=[account.slug]),
        "score": extra.get("score", "") if extra.get("score") is not None else "",
        "comment": extra.get("comment") or "",
    }


def preview(template: EmailTemplate) -> RenderedEmail:
    return render_email(template, SAMPLE)


# Saving -------------------------------------------------------------------------------------


def template_errors(template: EmailTemplate) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in ("name", "subject", "body"):
        if not str(getattr(template, field) or "").strip():
            errors.setdefault(field, []).append("This is required.")
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
        raise ValidationError({"key": ["Another e-mail already has this key."]})
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


# The built-in welcome series ----------------------------------------------------------------

WELCOME_SERIES: list[dict[str, str]] = [
    {
        "key": "welcome-1",
        "name": "Welcome (1 of 3)",
        "subject": "Welcome to the portal, {first_name}",
        "body": """Hello {first_name},

Welcome aboard! {account} now has its own space in our customer portal, and I am {csm_name}, your customer success manager. I am here to make sure your team gets what it bought us for.

**Two things to do today**

1. [Log in to the portal]({portal_link}): your onboarding checklist, your success plan and your contacts are all there.
2. Reply to this e-mail with a time that suits you for a 30-minute kick-off call. We will agree what success looks like for {account} and the first milestones.

If anything is unclear, just reply: this e-mail reaches a person.

See you soon,

{csm_name}
""",
    },
    {
        "key": "welcome-2",
        "name": "Welcome (2 of 3)",
        "subject": "{first_name}, your first onboarding tasks",
        "body": """Hello {first_name},

The quickest way to value is to finish the first few onboarding tasks. Most teams do them in under an hour:

- **Confirm your goals** on the success plan, so we measure the right things.
- **Connect your data**: the checklist links to a short guide for each step.
- **Set up single sign-on** if your IT team uses it; it saves everyone a password.

Your checklist shows what is done, what is next and who is on it: [open {account}'s onboarding]({portal_link}).

Stuck on a step? Reply here and {csm_name} will help, or book a working session.
""",
    },
    {
        "key": "welcome-3",
        "name": "Welcome (3 of 3)",
        "subject": "Bring your team into the portal",
        "body": """Hello {first_name},

Teams that invite their colleagues in the first weeks get up and running twice as fast: everyone sees the same plan, the same tasks and the same progress.

**Invite your team in a minute**

1. [Open the portal]({portal_link}) and go to **People**.
2. Enter their e-mail addresses and choose a role: members work on tasks, executives see the reviews.
3. They get an invitation and join {account} with one click.

Thank you for choosing us. {csm_name} will check in soon to see how the first weeks went.
""",
    },
]


def ensure_built_in_email_templates() -> int:
    """Create the welcome series' and the built-in playbooks' templates that are missing; edits made to existing ones are
    kept. Returns how many were created."""
    from ..builtins import EMAILS

    created = 0
    for spec in [*WELCOME_SERIES, *EMAILS]:
        if EmailTemplate.objects.filter(key=spec["key"]).exists():
            continue
        save_email_template(EmailTemplate(**spec), acting_user=None)
        created += 1
    return created
