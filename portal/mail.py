"""E-mail with an HTML and a plain-text part, both from templates, in each reader's language
and time zone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .i18n import Locale, override_for, person_locale

if TYPE_CHECKING:
    from accounts.models import Account, User

# RFC 8058: the link in List-Unsubscribe takes a POST with this body and unsubscribes at once.
ONE_CLICK = "List-Unsubscribe=One-Click"


def recipients_by_locale(
    to: Sequence[str],
    *,
    recipients: Sequence[User] | None = None,
    account: Account | None = None,
) -> dict[Locale, list[str]]:
    """The addresses grouped by the language and zone their readers get (portal.i18n): the
    people given, else the people the portal knows by those addresses; an address nobody logs
    in with yet (an invitation's) gets ``account``'s settings, else the site's."""
    from accounts.models import User

    people = list(recipients) if recipients is not None else []
    if recipients is None:
        people = list(User.objects.filter(email__in=[address.lower() for address in to]))
    by_address = {person.email.lower(): person for person in people}
    groups: dict[Locale, list[str]] = {}
    for address in to:
        person = by_address.get(address.lower())
        locale = person_locale(person, account=account)
        groups.setdefault(locale, []).append(address)
    return groups


def send_mail_from_templates(
    name: str,
    *,
    to: list[str],
    context: dict[str, Any],
    unsubscribe_url: str = "",
    recipients: Sequence[User] | None = None,
    account: Account | None = None,
) -> None:
    """Send ``templates/emails/<name>_subject.txt``, ``<name>.txt`` and ``<name>.html``.

    Each reader gets it in their language and time zone: one message per language and zone,
    rendered inside ``translation.override`` and ``timezone.override``. ``recipients`` are the
    people behind ``to`` when the caller has them (else they are looked up by address);
    ``account`` (by default the context's ``account``) settles it for an address nobody logs
    in with yet.

    ``unsubscribe_url`` (every notification or bulk e-mail has one; an invitation, a password
    reset or a log-in code has none) becomes ``List-Unsubscribe`` with one-click
    ``List-Unsubscribe-Post``, so a mail client's own "unsubscribe" button works.
    """
    from accounts.models import Account

    if account is None and isinstance(context.get("account"), Account):
        account = context["account"]
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    headers = {}
    if unsubscribe_url:
        headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK}
    for locale, addresses in recipients_by_locale(
        to, recipients=recipients, account=account
    ).items():
        with override_for(locale=locale):
            subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
            text = render_to_string(f"emails/{name}.txt", context)
            html = render_to_string(f"emails/{name}.html", context)
        message = EmailMultiAlternatives(
            subject=subject, body=text, to=addresses, headers=dict(headers)
        )
        message.attach_alternative(html, "text/html")
        message.send()
