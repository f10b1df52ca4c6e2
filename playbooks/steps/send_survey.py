"""Ask the account's people a survey now, through the surveys app's own campaigns: the
opt-outs, pauses and fatigue limits that hold back any campaign hold back this one too."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, CustomerRole, Membership
from surveys.models import Survey
from surveys.services import ask_account, paused_accounts

from ..models import StepKind
from ..params import ParamField
from . import Outcome, StepContext, StepKindSpec, register

EVERYONE = "everyone"
ROLES = {
    CustomerRole.CHAMPION.value: ("The champion", "the champion"),
    CustomerRole.EXECUTIVE.value: ("The executive sponsor", "the executive sponsor"),
    CustomerRole.MEMBER.value: ("The members", "the members"),
    EVERYONE: ("Everyone at the account", "everyone at the account"),
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


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def run(context: StepContext) -> Outcome:
    survey = _survey(context.params)
    if survey is None or survey.archived_at is not None:
        return Outcome.skipped("the survey is gone or archived")
    to = context.params.get("to") or EVERYONE
    try:
        ask = ask_account(survey, context.account, roles=_roles(to), acting_user=None)
    except ValidationError as refusal:
        return Outcome.skipped(" ".join(refusal.messages))
    if ask.paused:
        return Outcome.skipped(
            f"surveys are paused on this account: {_people(ask.held_back)} held back"
        )
    if ask.campaign is None and ask.held_back:
        return Outcome.skipped("the account has no owner CSM to send the survey")
    detail = f"asked {_people(ask.asked)} “{survey.name}”"
    if ask.held_back:
        detail += f" ({ask.held_back} held back by survey limits)"
    if not ask.asked:
        if not ask.held_back:
            return Outcome.skipped(f"nobody to ask: no active {ROLES[to][1]} here")
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
    said = f"survey “{name}” to {ROLES.get(to, (to, to))[1]} ({_people(count)})"
    if paused_accounts().filter(account=account).exists():
        return f"{said}: skipped while surveys are paused on this account"
    return f"{said}, except anyone held back by the survey limits"


def validate(params: dict[str, Any]) -> list[str]:
    survey = _survey(params)
    if survey is None:
        return ["The survey does not exist."]
    if survey.archived_at is not None:
        return [f"The survey “{survey.name}” is archived."]
    return []


register(StepKindSpec(StepKind.SEND_SURVEY, FIELDS, run, describe, validate))
