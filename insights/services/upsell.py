"""Upsell leads (CSQLs): flagged by a playbook or a person, closed by the CS team as won, lost
or dismissed. At most one lead is open per account at a time."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.activity import record
from accounts.models import Account, User

from ..models import UpsellLead

REASON_LENGTH = UpsellLead._meta.get_field("reason").max_length or 300
SOURCE_LENGTH = UpsellLead._meta.get_field("source").max_length or 200
CLOSED = (UpsellLead.Status.WON, UpsellLead.Status.LOST, UpsellLead.Status.DISMISSED)


@transaction.atomic
def flag_upsell_lead(
    account: Account, *, reason: str, source: str, acting_user: User | None
) -> tuple[UpsellLead, bool]:
    """The account's open lead, and whether it was made now: a second flag while one is open
    adds nothing. The account row is locked, so two flags at once make one lead."""
    Account.objects.select_for_update().filter(pk=account.pk).values_list("pk").first()
    open_lead = UpsellLead.objects.filter(account=account, status=UpsellLead.Status.OPEN).first()
    if open_lead is not None:
        return open_lead, False
    reason = " ".join(reason.split())[:REASON_LENGTH]
    if not reason:
        raise ValidationError("Say why this account could grow.")
    lead = UpsellLead.objects.create(
        account=account,
        reason=reason,
        source=source[:SOURCE_LENGTH],
        flagged_by=acting_user,
    )
    record(
        "flagged an upsell lead",
        actor=acting_user,
        account=account,
        target=lead,
        after={"reason": lead.reason, "source": lead.source},
        internal=True,
    )
    return lead, True


@transaction.atomic
def close_upsell_lead(lead: UpsellLead, *, status: str, acting_user: User) -> UpsellLead:
    """Close an open lead as won, lost or dismissed."""
    if status not in CLOSED:
        raise ValidationError("Close a lead as won, lost or dismissed.")
    lead = UpsellLead.objects.select_for_update().get(pk=lead.pk)
    if lead.status != UpsellLead.Status.OPEN:
        raise ValidationError(
            f"This lead was closed already ({lead.get_status_display().lower()})."
        )
    lead.status = status
    lead.closed_at = timezone.now()
    lead.save(update_fields=["status", "closed_at"])
    record(
        "closed an upsell lead",
        actor=acting_user,
        account=lead.account,
        target=lead,
        before={"status": UpsellLead.Status.OPEN},
        after={"status": status},
        internal=True,
    )
    return lead
