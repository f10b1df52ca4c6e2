"""Notify the account's owner CSM in the portal (an item in their inbox, shown on Today until
they read it), or every CS admin when the account has no owner."""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.activity import record
from accounts.models import Account

from ..models import StepKind
from ..params import ParamField
from ..services.notices import TEXT_LENGTH, notify, recipients
from ..words import say_plural
from . import Outcome, StepContext, StepKindSpec, preview_text, register

FIELDS = [
    ParamField("text", _("Notice"), max_length=TEXT_LENGTH, help=_("Merge fields: {account}, {person}, {score}, {why}.")),
]  # fmt: skip


def _names(people: list[Any]) -> str:
    if len(people) == 1:
        return str(people[0].display_name)
    count = len(people)
    return ngettext("%(count)s CS admin", "%(count)s CS admins", count) % {"count": count}


def run(context: StepContext) -> Outcome:
    account = context.account
    written = context.params.get("text") or "{why}"
    if not context.fill(written).strip():
        items = []
    else:
        # Worded for each reader, in their language (a built-in text as shipped, the why).
        items = notify(account, text=_worded(context, written), run=context.run)
    if not items:
        return Outcome.skipped(
            gettext_noop("nobody to notify: the account has no owner and there is no CS admin")
        )
    record(
        gettext_noop("notified"),
        actor=None,
        account=account,
        target=context.run,
        after={"to": [n.user.display_name for n in items], "text": items[0].title},
        internal=True,
    )
    if len(items) == 1:
        return Outcome.done(
            gettext_noop("notice for %(person)s: “%(text)s”"),
            person=items[0].user.display_name,
            text=items[0].title,
        )
    return Outcome.done(say_plural("admins_notified", len(items), text=items[0].title))


def _tidied(context: StepContext, text: str) -> str:
    return " ".join(context.worded(text).split())[:TEXT_LENGTH]


_worded = lazy(_tidied, str)


def describe(params: dict[str, Any], account: Account) -> str:
    people = recipients(account)
    who = _names(people) if people else gettext("nobody (no owner and no CS admin: skipped)")
    return gettext("a notice for %(who)s: “%(text)s”") % {
        "who": who,
        "text": preview_text(params.get("text") or "", account),
    }


register(StepKindSpec(StepKind.NOTIFY_OWNER, FIELDS, run, describe))
