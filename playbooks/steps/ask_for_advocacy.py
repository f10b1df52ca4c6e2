"""Ask for advocacy through the advocacy app's own services: the person the event names (a
promoter who just answered, say) or else every promoter of the account who may be asked now;
the cooldowns that hold back a CSM's ask hold back this one too."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, User
from advocacy import figures
from advocacy.models import AskChannel, AskKind
from advocacy.services import ask_for_advocacy
from portal.i18n import language_or_default, person_locale

from ..models import StepKind
from ..params import ParamField, in_language, in_other_languages
from ..words import choice
from . import Outcome, StepContext, StepKindSpec, preview_text, register

NOTE = ParamField(
    "note",
    _("What you ask"),
    kind="longtext",
    required=False,
    max_length=2000,
    help=_("Merge fields: {account}, {person}, {score}."),
)
FIELDS = [
    ParamField("kind", _("Ask them to"), kind="choice", choices=lambda: list(AskKind.choices), default=AskKind.REVIEW),
    NOTE,
    *in_other_languages(NOTE),
]  # fmt: skip


def _people(context: StepContext) -> list[User]:
    user_id = (context.event.data or {}).get("user_id")
    if user_id:
        return list(User.objects.filter(pk=user_id))
    return [row.person for row in figures.promoters(context.account) if row.may_ask]


def run(context: StepContext) -> Outcome:
    kind = context.params.get("kind") or AskKind.REVIEW
    asked, held = [], []
    for person in _people(context):
        # The note in the person's language when one was written, else the default one.
        language = language_or_default(person_locale(person, account=context.account).language)
        note = context.fill(in_language(context.params, NOTE.name, language))
        try:
            ask_for_advocacy(
                context.account,
                person,
                kind,
                channel=AskChannel.PLAYBOOK,
                note=note,
                acting_user=None,
            )
        except ValidationError as refusal:
            held.append(" ".join(refusal.messages))
            continue
        asked.append(person.display_name)
    if not asked:
        if held:
            return Outcome.skipped("; ".join(held))
        return Outcome.skipped(gettext_noop("no promoter to ask now"))
    return Outcome.done(
        gettext_noop("asked %(people)s: %(kind)s"),
        people=", ".join(asked),
        kind=choice(AskKind, kind),
    )


def describe(params: dict[str, Any], account: Account) -> str:
    kind = params.get("kind") or AskKind.REVIEW
    ready = sum(1 for row in figures.promoters(account) if row.may_ask)
    note = preview_text(params.get("note") or "", account)
    values = {"kind": str(AskKind(kind).label).lower(), "ready": ready, "note": note}
    if note:
        return (
            gettext(
                "an ask to %(kind)s for the person the event names, or the account's promoters "
                "who may be asked now (%(ready)s): “%(note)s”"
            )
            % values
        )
    return (
        gettext(
            "an ask to %(kind)s for the person the event names, or the account's promoters "
            "who may be asked now (%(ready)s)"
        )
        % values
    )


register(StepKindSpec(StepKind.ASK_FOR_ADVOCACY, FIELDS, run, describe))
