"""Send one of the CS admin's e-mail templates to the account's champion, executive, members,
everyone, or the person whose answer started the playbook; each person gets their own
e-mail, with their own merge fields, in their language's version of the template (else the
default one), and a link to turn these e-mails off."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, CustomerRole, Delivery, NotificationKind, User
from accounts.services import Mail, account_mail_off_url, delivery_for, tell
from portal.i18n import language_or_default, person_locale

from ..models import EmailTemplate, StepKind
from ..params import ParamField
from ..services.emails import merge_values, render_email
from ..words import Said, say, say_plural
from . import Outcome, StepContext, StepFailed, StepKindSpec, register

EVERYONE = "everyone"
PERSON = "person"
RECIPIENTS = [
    (CustomerRole.CHAMPION.value, _("The champion")),
    (CustomerRole.EXECUTIVE.value, _("The executive sponsor")),
    (CustomerRole.MEMBER.value, _("The members")),
    (EVERYONE, _("Everyone at the account")),
    (PERSON, _("The person who answered (when the event names one)")),
]
# How the preview and a run name them, after "to" (stored English, worded when read).
SAID = {
    CustomerRole.CHAMPION.value: gettext_noop("the champion"),
    CustomerRole.EXECUTIVE.value: gettext_noop("the executive sponsor"),
    CustomerRole.MEMBER.value: gettext_noop("the members"),
    EVERYONE: gettext_noop("everyone at the account"),
    PERSON: gettext_noop("the person who answered"),
}


def _said_to(to: str) -> Said:
    return say(SAID[to]) if to in SAID else say("%(to)s", to=to)


def _to(to: str) -> str:
    return gettext(SAID[to]) if to in SAID else to


def template_choices() -> list[tuple[str, str]]:
    return list(EmailTemplate.objects.order_by("name").values_list("key", "name"))


FIELDS = [
    ParamField("template", _("E-mail"), kind="choice", choices=template_choices, help=_("Write and edit them under Playbooks › E-mails.")),
    ParamField("to", _("To"), kind="choice", choices=lambda: RECIPIENTS, default=CustomerRole.CHAMPION.value),
]  # fmt: skip


def recipients(account: Account, to: str, user_id: Any = None) -> QuerySet[User]:
    """The active people with a membership in ``account`` the step writes to."""
    people = User.objects.filter(is_active=True, memberships__account=account)
    if to == PERSON:
        return people.filter(pk=user_id) if isinstance(user_id, int) else people.none()
    if to != EVERYONE:
        people = people.filter(memberships__role=to)
    return people.distinct().order_by("name", "email")


def run(context: StepContext) -> Outcome:
    template = EmailTemplate.objects.filter(key=context.params.get("template")).first()
    if template is None:
        return Outcome.skipped(
            gettext_noop("the e-mail “%(email)s” no longer exists"),
            email=str(context.params.get("template")),
        )
    to = context.params.get("to") or CustomerRole.CHAMPION.value
    chosen = list(recipients(context.account, to, (context.event.data or {}).get("user_id")))
    if not chosen:
        return Outcome.skipped(
            gettext_noop("nobody to write to: no active %(to)s here"), to=_said_to(to)
        )
    sent, digest, unsubscribed = 0, 0, 0
    for user in chosen:
        delivery = delivery_for(user, NotificationKind.ACCOUNT)
        if _tell(template, user, context, delivery):
            sent += 1
        elif delivery == Delivery.DIGEST:  # in their inbox, and tomorrow's digest e-mail
            digest += 1
        else:  # in their inbox only
            unsubscribed += 1
    code = "sent" + ("_digest" if digest else "") + ("_unsubscribed" if unsubscribed else "")
    detail = say_plural(code, sent, email=template.name, digest=digest, unsubscribed=unsubscribed)
    if not sent:
        return Outcome.skipped(detail)
    return Outcome.done(detail)


def _tell(template: EmailTemplate, user: User, context: StepContext, delivery: str) -> bool:
    """The message in the person's inbox, and by e-mail as they chose for account e-mails,
    in their language's version when the template has one; whether an e-mail went out."""
    language = language_or_default(person_locale(user, account=context.account).language)
    with translation.override(language):
        values = merge_values(user, context.account, context.merge)
    email = render_email(template, values, language=language)
    try:
        return tell(
            user,
            kind=NotificationKind.ACCOUNT,
            title=email.subject,
            url=reverse("account_home", args=[context.account.slug]),
            account=context.account,
            body=email.text[:1000],
            delivery=delivery,
            mail=Mail(
                "playbook_message",
                {
                    "subject": email.subject,
                    "body_text": email.text,
                    "body_html": email.html,
                    "account": context.account,
                    "vendor_name": settings.VENDOR_NAME,
                    "unsubscribe_url": account_mail_off_url(user),
                },
            ),
        )
    except (smtplib.SMTPException, OSError) as error:
        raise StepFailed(
            gettext("the mail server refused “%(template)s”: %(error)s")
            % {"template": template.name, "error": error}
        ) from error


def _someone(user: User) -> str:
    local, _at, domain = user.email.partition("@")
    shown = f"{local}@…" if domain else local
    return f"{user.display_name} <{shown}>" if user.name else f"<{shown}>"


def _listed(users: Iterable[User]) -> str:
    chosen = list(users)
    shown = ", ".join(_someone(u) for u in chosen[:3])
    more = len(chosen) - 3
    if more > 0:
        return gettext("%(people)s and %(count)s more") % {"people": shown, "count": more}
    return shown


def describe(params: dict[str, Any], account: Account) -> str:
    template = EmailTemplate.objects.filter(key=params.get("template")).first()
    name = template.name if template else params.get("template", "?")
    to = params.get("to") or CustomerRole.CHAMPION.value
    values = {"email": name, "to": _to(to)}
    if to == PERSON:
        return gettext("e-mail “%(email)s” to %(to)s") % values
    chosen = list(recipients(account, to))
    if not chosen:
        return gettext("e-mail “%(email)s” to %(to)s (nobody here: skipped)") % values
    return gettext("e-mail “%(email)s” to %(to)s (%(people)s)") % {
        **values,
        "people": _listed(chosen),
    }


def validate(params: dict[str, Any]) -> list[str]:
    key = params.get("template")
    if key and not EmailTemplate.objects.filter(key=key).exists():
        return [gettext("The e-mail “%(email)s” does not exist.") % {"email": key}]
    return []


register(StepKindSpec(StepKind.SEND_EMAIL, FIELDS, run, describe, validate))
