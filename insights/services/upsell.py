"""Upsell leads (CSQLs): raised by hand (the CSM), by a playbook step or by the nightly rules
(:mod:`.csql_rules`); passed to sales, then won (with the ARR it added) or lost (with why), or
dismissed. A rule or a playbook keeps at most one active lead (open or passed to sales) per
account; the CSM raises as many as they see."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.activity import record
from accounts.models import Account, User

from ..models import ACTIVE_LEAD_STATUSES, Contract, CrossSellOffer, UpsellLead, portal_currency

REASON_LENGTH = UpsellLead._meta.get_field("reason").max_length or 300
SOURCE_LENGTH = UpsellLead._meta.get_field("source").max_length or 200
CLOSED = (UpsellLead.Status.WON, UpsellLead.Status.LOST, UpsellLead.Status.DISMISSED)
MOVES = (UpsellLead.Status.PASSED, *CLOSED)
Status = UpsellLead.Status


def contract_currency(account: Account, day: date | None = None) -> str:
    """The currency of the account's contracts: its newest running one's, else its newest
    one's, else the portal's. A lead's amounts are in it."""
    day = day or timezone.localdate()
    contracts = Contract.objects.filter(account=account).order_by("-starts_on", "-pk")
    running = contracts.filter(starts_on__lte=day, ends_on__gt=day)
    currency = running.values_list("currency", flat=True).first()
    return currency or contracts.values_list("currency", flat=True).first() or portal_currency()


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())[:REASON_LENGTH]
    if not reason:
        raise ValidationError(gettext("Say why this account could grow."))
    return reason


@transaction.atomic
def flag_upsell_lead(
    account: Account,
    *,
    reason: str,
    source: str,
    acting_user: User | None,
    rule: str = UpsellLead.Rule.PLAYBOOK,
    amount_guess: Decimal | None = None,
    offer: CrossSellOffer | None = None,
) -> tuple[UpsellLead, bool]:
    """The account's active lead of ``rule``, and whether it was made now: a second flag while
    one is active adds nothing. The account row is locked, so two flags at once make one lead
    (and the database's constraint would refuse a second)."""
    if rule == UpsellLead.Rule.HAND:
        raise ValueError("Leads raised by hand go through raise_upsell_lead.")
    Account.objects.select_for_update().filter(pk=account.pk).values_list("pk").first()
    active = UpsellLead.objects.filter(
        account=account, rule=rule, status__in=ACTIVE_LEAD_STATUSES
    ).first()
    if active is not None:
        return active, False
    lead = UpsellLead.objects.create(
        account=account,
        reason=_clean_reason(reason),
        source=source[:SOURCE_LENGTH],
        rule=rule,
        amount_guess=amount_guess,
        currency=contract_currency(account),
        offer=offer,
        flagged_by=acting_user,
    )
    record(
        gettext_noop("flagged an upsell lead"),
        actor=acting_user,
        account=account,
        target=lead,
        after={"reason": lead.reason, "source": lead.source, "rule": lead.rule},
        internal=True,
    )
    return lead, True


@transaction.atomic
def raise_upsell_lead(
    account: Account, *, reason: str, amount_guess: Decimal | None, acting_user: User
) -> UpsellLead:
    """The CSM raises a lead by hand, with why and what it could add (ARR)."""
    if amount_guess is not None and amount_guess < 0:
        raise ValidationError(gettext("The amount cannot be negative."))
    lead = UpsellLead.objects.create(
        account=account,
        reason=_clean_reason(reason),
        source=f"raised by {acting_user.display_name}"[:SOURCE_LENGTH],
        rule=UpsellLead.Rule.HAND,
        amount_guess=amount_guess,
        currency=contract_currency(account),
        flagged_by=acting_user,
    )
    record(
        gettext_noop("raised an upsell lead"),
        actor=acting_user,
        account=account,
        target=lead,
        after={
            "reason": lead.reason,
            "amount_guess": None if amount_guess is None else str(amount_guess),
        },
        internal=True,
    )
    return lead


@transaction.atomic
def move_upsell_lead(
    lead: UpsellLead,
    *,
    status: str,
    acting_user: User,
    won_amount: Decimal | None = None,
    lost_reason: str = "",
) -> UpsellLead:
    """Pass an open lead to sales, or close an active one: won (with the ARR it added, its
    amount guess when none is given), lost (with why) or dismissed."""
    if status not in MOVES:
        raise ValidationError(
            gettext("Pass a lead to sales, or close it as won, lost or dismissed.")
        )
    lead = UpsellLead.objects.select_for_update().get(pk=lead.pk)
    if not lead.is_active:
        raise ValidationError(
            gettext("This lead was closed already (%(status)s).")
            % {"status": lead.get_status_display().lower()}
        )
    if status == Status.PASSED and lead.status == Status.PASSED:
        raise ValidationError(gettext("This lead is with sales already."))
    before = {"status": lead.status}
    after: dict[str, str] = {"status": status}
    now = timezone.now()
    fields = ["status"]
    if status == Status.PASSED:
        lead.passed_at = now
        fields.append("passed_at")
    else:
        lead.closed_at = now
        fields.append("closed_at")
    if status == Status.WON:
        amount = won_amount if won_amount is not None else lead.amount_guess
        if amount is None or amount <= 0:
            raise ValidationError(gettext("Say the amount won (ARR added)."))
        lead.won_amount, lead.won_on = amount, timezone.localdate(now)
        fields += ["won_amount", "won_on"]
        after["won_amount"] = str(amount)
    elif status == Status.LOST:
        why = " ".join(lost_reason.split())[: UpsellLead._meta.get_field("lost_reason").max_length]
        if not why:
            raise ValidationError(gettext("Say why the lead was lost."))
        lead.lost_reason = why
        fields.append("lost_reason")
        after["lost_reason"] = why
    lead.status = status
    lead.save(update_fields=fields)
    record(
        gettext_noop("passed an upsell lead to sales")
        if status == Status.PASSED
        else gettext_noop("closed an upsell lead"),
        actor=acting_user,
        account=lead.account,
        target=lead,
        before=before,
        after=after,
        internal=True,
    )
    return lead


def flag_unless_taken(
    account: Account,
    *,
    reason: str,
    rule: str,
    amount_guess: Decimal | None,
    offer: CrossSellOffer | None = None,
) -> bool:
    """:func:`flag_upsell_lead` for the nightly rules: True when a lead was made. A lead made
    by a concurrent run meanwhile (the database's constraint) counts as taken."""
    try:
        _, created = flag_upsell_lead(
            account,
            reason=reason,
            source="nightly rules",
            acting_user=None,
            rule=rule,
            amount_guess=amount_guess,
            offer=offer,
        )
    except IntegrityError:
        return False
    return created
