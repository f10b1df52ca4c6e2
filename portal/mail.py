"""E-mail with an HTML and a plain-text part, both from templates."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

# RFC 8058: the link in List-Unsubscribe takes a POST with this body and unsubscribes at once.
ONE_CLICK = "List-Unsubscribe=One-Click"


def send_mail_from_templates(
    name: str,
    *,
    to: list[str],
    context: dict[str, Any],
    unsubscribe_url: str = "",
) -> None:
    """Send ``templates/emails/<name>_subject.txt``, ``<name>.txt`` and ``<name>.html``.

    ``unsubscribe_url`` (every notification or bulk e-mail has one; an invitation, a password
    reset or a log-in code has none) becomes ``List-Unsubscribe`` with one-click
    ``List-Unsubscribe-Post``, so a mail client's own "unsubscribe" button works.
    """
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    headers = {}
    if unsubscribe_url:
        headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK}
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    message.send()
