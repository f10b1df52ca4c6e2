"""Pause surveys for the account for N days, in the owner CSM's name (the champion left:
nobody should be asked how likely they are to recommend us while the account has no one to
answer for it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import Account
from surveys.models import SurveyPause
from surveys.services import pause_surveys

from ..models import StepKind
from ..params import ParamField
from ..words import day
from . import Outcome, StepContext, StepKindSpec, register

FIELDS = [
    ParamField("days", _("For (days)"), kind="int", minimum=1, maximum=365, default=60),
    ParamField("reason", _("Why"), max_length=200, required=False, help=_("Shown on the account's surveys page. Merge fields: {account}, {why}.")),
]  # fmt: skip


def run(context: StepContext) -> Outcome:
    account = context.account
    until = timezone.localdate() + timedelta(days=int(context.params.get("days") or 60))
    current = SurveyPause.objects.filter(account=account).first()
    if current is not None and (current.until is None or current.until >= until):
        if current.until is None:
            return Outcome.skipped(gettext_noop("surveys are paused already, until resumed"))
        return Outcome.skipped(
            gettext_noop("surveys are paused already, until %(day)s"), day=day(current.until)
        )
    if account.owner is None:
        return Outcome.skipped(gettext_noop("the account has no owner CSM to pause its surveys"))
    reason = context.fill(context.params.get("reason") or "{why}")[:200]
    # In the owner CSM's name, as a pause records who paused it.
    pause_surveys(account, reason=reason, until=until, acting_user=account.owner)
    return Outcome.done(gettext_noop("surveys paused until %(day)s"), day=day(until))


def describe(params: dict[str, Any], account: Account) -> str:
    days = int(params.get("days") or 60)
    return ngettext(
        "pause surveys to %(account)s for %(count)s day",
        "pause surveys to %(account)s for %(count)s days",
        days,
    ) % {"account": account.name, "count": days}


register(StepKindSpec(StepKind.PAUSE_SURVEYS, FIELDS, run, describe))
