"""Notify the account's owner CSM in the portal (an item in their inbox, shown on Today until
they read it), or every CS admin when the account has no owner."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.activity import record
from accounts.models import Account

from ..models import StepKind
from ..params import ParamField
from ..services.notices import TEXT_LENGTH, notify, recipients
from . import Outcome, StepContext, StepKindSpec, preview_text, register

FIELDS = [
    ParamField("text", _("Notice"), max_length=TEXT_LENGTH, help=_("Merge fields: {account}, {person}, {score}, {why}.")),
]  # fmt: skip


def _names(people: list[Any]) -> str:
    names = [p.display_name for p in people]
    return names[0] if len(names) == 1 else f"{len(names)} CS admins"


def run(context: StepContext) -> Outcome:
    account = context.account
    text = context.fill(context.params.get("text") or "{why}")
    items = notify(account, text=text, run=context.run)
    if not items:
        return Outcome.skipped(
            "nobody to notify: the account has no owner and there is no CS admin"
        )
    record(
        gettext_noop("notified"),
        actor=None,
        account=account,
        target=context.run,
        after={"to": [n.user.display_name for n in items], "text": items[0].title},
        internal=True,
    )
    return Outcome.done(f"notice for {_names([n.user for n in items])}: “{items[0].title}”")


def describe(params: dict[str, Any], account: Account) -> str:
    people = recipients(account)
    who = _names(people) if people else "nobody (no owner and no CS admin: skipped)"
    return f"a notice for {who}: “{preview_text(params.get('text') or '', account)}”"


register(StepKindSpec(StepKind.NOTIFY_OWNER, FIELDS, run, describe))
