"""Add an action item to the account's running success plan: the vendor's (the owner CSM's)
or the customer's (the champion's), due in N days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, CustomerRole
from onboarding.models import Side
from onboarding.services import default_assignee
from successplans.figures import current_plan
from successplans.models import ActionItem
from successplans.services import add_item

from ..models import StepKind
from ..params import ParamField
from . import Outcome, StepContext, StepKindSpec, preview_text, register

FIELDS = [
    ParamField("title", _("Action item"), max_length=200, help=_("Merge fields: {person}, {score}, {account}.")),
    ParamField("due_in_days", _("Due in (days)"), kind="int", minimum=0, maximum=365, default=7, required=False),
    ParamField("side", _("Whose"), kind="choice", choices=lambda: Side.choices, default=Side.CUSTOMER, required=False),
]  # fmt: skip


def _side(params: dict[str, Any]) -> str:
    side = params.get("side") or Side.CUSTOMER
    return side if side in Side.values else Side.CUSTOMER


def run(context: StepContext) -> Outcome:
    account = context.account
    today = timezone.localdate()
    plan = current_plan(account, today)
    if plan is None:
        return Outcome.skipped(gettext_noop("the account has no success plan running today"))
    side = _side(context.params)
    assignee = (
        account.owner if side == Side.VENDOR else default_assignee(account, CustomerRole.CHAMPION)
    )
    item = ActionItem(
        plan=plan,
        title=context.fill(context.params.get("title") or gettext("Follow up"))[:200],
        side=side,
        assignee=assignee,
        due_date=today + timedelta(days=int(context.params.get("due_in_days") or 0)),
    )
    try:
        item.full_clean()
    except ValidationError as refusal:
        return Outcome.skipped(" ".join(refusal.messages))
    add_item("action", item, acting_user=None)
    if assignee is None:
        return Outcome.done(
            gettext_noop("action item “%(title)s” on the plan “%(plan)s”"),
            title=item.title,
            plan=plan.name,
        )
    return Outcome.done(
        gettext_noop("action item “%(title)s” on the plan “%(plan)s”, for %(person)s"),
        title=item.title,
        plan=plan.name,
        person=assignee.display_name,
    )


def describe(params: dict[str, Any], account: Account) -> str:
    plan = current_plan(account, timezone.localdate())
    due = int(params.get("due_in_days") or 0)
    title = preview_text(params.get("title") or gettext("Follow up"), account)
    if due == 0:
        when = gettext("due today")
    else:
        when = ngettext("due in %(count)s day", "due in %(count)s days", due) % {"count": due}
    values = {"side": str(Side(_side(params)).label).lower(), "title": title, "when": when}
    if plan is None:
        return (
            gettext(
                "a %(side)s action item “%(title)s”, %(when)s (no success plan running: skipped)"
            )
            % values
        )
    return gettext("a %(side)s action item “%(title)s”, %(when)s, on the plan “%(plan)s”") % {
        **values,
        "plan": plan.name,
    }


register(StepKindSpec(StepKind.ADD_PLAN_ITEM, FIELDS, run, describe))
