"""Ask the account's people a survey now, through the surveys app's own campaigns: the
opt-outs, pauses and fatigue limits that hold back any campaign hold back this one too."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, CustomerRole, Membership
from surveys.models import Survey
from surveys.services import ask_account, paused_accounts

from ..models import StepKind
from ..params import ParamField
from ..words import say, say_plural
from . import Outcome, StepContext, StepKindSpec, register

EVERYONE = "everyone"
# Each choice's label, and how a run and the preview name them after "to" (stored English).
ROLES = {
    CustomerRole.CHAMPION.value: (_("The champion"), gettext_noop("the champion")),
    CustomerRole.EXECUTIVE.value: (
        _("The executive sponsor"),
        gettext_noop("the executive sponsor"),
    ),
    CustomerRole.MEMBER.value: (_("The members"), gettext_noop("the members")),
    EVERYONE: (_("Everyone at the account"), gettext_noop("everyone at the account")),
}


def survey_choices() -> list[tuple[str, str]]:
    return [
        (str(pk), name)
        for pk, name in Survey.objects.active().order_by("name").values_list("pk", "name")
    ]


FIELDS = [
    ParamField("survey", _("Survey"), kind="choice", choices=survey_choices),
    ParamField("to", _("To"), kind="choice", choices=lambda: [(k, v[0]) for k, v in ROLES.items()], default=EVERYONE),
]  # fmt: skip


def _survey(params: dict[str, Any]) -> Survey | None:
    try:
        pk = int(params.get("survey") or 0)
    except (TypeError, ValueError):
        return None
    return Survey.objects.filter(pk=pk).first()


def _roles(to: str) -> list[str]:
    return list(CustomerRole.values) if to == EVERYONE else [to]


def run(context: StepContext) -> Outcome:
    survey = _survey(context.params)
    if survey is None or survey.archived_at is not None:
        return Outcome.skipped(gettext_noop("the survey is gone or archived"))
    to = context.params.get("to") or EVERYONE
    try:
        ask = ask_account(survey, context.account, roles=_roles(to), acting_user=None)
    except ValidationError as refusal:
        return Outcome.skipped(" ".join(refusal.messages))
    if ask.paused:
        return Outcome.skipped(say_plural("surveys_paused_held", ask.held_back))
    if ask.campaign is None and ask.held_back:
        return Outcome.skipped(gettext_noop("the account has no owner CSM to send the survey"))
    if ask.held_back:
        detail = say_plural("asked_held", ask.asked, survey=survey.name, held=ask.held_back)
    else:
        detail = say_plural("asked", ask.asked, survey=survey.name)
    if not ask.asked:
        if not ask.held_back:
            return Outcome.skipped(
                gettext_noop("nobody to ask: no active %(to)s here"), to=say(ROLES[to][1])
            )
        return Outcome.skipped(detail)
    return Outcome.done(detail)


def describe(params: dict[str, Any], account: Account) -> str:
    survey = _survey(params)
    name = survey.name if survey else "?"
    to = params.get("to") or EVERYONE
    count = (
        Membership.objects.filter(account=account, role__in=_roles(to), user__is_active=True)
        .values("user")
        .distinct()
        .count()
    )
    values = {"survey": name, "to": gettext(ROLES[to][1]) if to in ROLES else to, "count": count}
    if paused_accounts().filter(account=account).exists():
        return (
            ngettext(
                "survey “%(survey)s” to %(to)s (%(count)s person): skipped while surveys are "
                "paused on this account",
                "survey “%(survey)s” to %(to)s (%(count)s people): skipped while surveys are "
                "paused on this account",
                count,
            )
            % values
        )
    return (
        ngettext(
            "survey “%(survey)s” to %(to)s (%(count)s person), except anyone held back by the "
            "survey limits",
            "survey “%(survey)s” to %(to)s (%(count)s people), except anyone held back by the "
            "survey limits",
            count,
        )
        % values
    )


def validate(params: dict[str, Any]) -> list[str]:
    survey = _survey(params)
    if survey is None:
        return [gettext("The survey does not exist.")]
    if survey.archived_at is not None:
        return [gettext("The survey “%(survey)s” is archived.") % {"survey": survey.name}]
    return []


register(StepKindSpec(StepKind.SEND_SURVEY, FIELDS, run, describe, validate))
