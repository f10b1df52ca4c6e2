"""Flag an upsell lead (a CSQL) on the account, with why, for the book of business: at most
one active lead flagged by playbooks per account, so a second flag adds nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from insights.models import ACTIVE_LEAD_STATUSES, UpsellLead
from insights.services.upsell import flag_upsell_lead

from ..models import StepKind
from ..params import ParamField
from . import Outcome, StepContext, StepKindSpec, preview_text, register

REASON_LENGTH = UpsellLead._meta.get_field("reason").max_length or 300

FIELDS = [
    ParamField("reason", _("Why"), max_length=REASON_LENGTH, help=_("Merge fields: {account}, {person}, {score}, {why}.")),
]  # fmt: skip


def run(context: StepContext) -> Outcome:
    run_ = context.run
    reason = context.fill(context.params.get("reason") or "{why}")
    lead, created = flag_upsell_lead(
        context.account,
        reason=reason,
        source=f"playbook “{run_.playbook.name}” (run {run_.pk})",
        acting_user=None,
    )
    if not created:
        return Outcome.skipped(gettext_noop("already flagged: “%(reason)s”"), reason=lead.reason)
    return Outcome.done(gettext_noop("upsell lead flagged: “%(reason)s”"), reason=lead.reason)


def describe(params: dict[str, Any], account: Account) -> str:
    already = UpsellLead.objects.filter(
        account=account, rule=UpsellLead.Rule.PLAYBOOK, status__in=ACTIVE_LEAD_STATUSES
    ).exists()
    reason = preview_text(params.get("reason") or "", account)
    if already:
        return gettext("an upsell lead (CSQL): “%(reason)s” (already flagged: skipped)") % {
            "reason": reason
        }
    return gettext("an upsell lead (CSQL): “%(reason)s”") % {"reason": reason}


register(StepKindSpec(StepKind.FLAG_CSQL, FIELDS, run, describe))
