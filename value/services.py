"""Every change to value KPIs and their readings. Views call these; nothing else writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.activity import record, snapshot
from accounts.models import Account, User

from .models import ValueKPI, ValueReading

FIELDS = [
    "name",
    "driver",
    "unit",
    "baseline",
    "lower_is_better",
    "unit_value",
    "currency",
    "period",
    "notes",
    "agreed_with",
    "shared",
]


def check_kpi(fields: dict[str, Any]) -> None:
    """Refuse what no form should let through, naming the field (the forms check it first)."""
    errors: dict[str, str] = {}
    unit_value = fields.get("unit_value")
    if unit_value is not None and Decimal(unit_value) < 0:
        errors["unit_value"] = _("A unit's value cannot be negative: enter what one unit is worth.")
    currency = str(fields.get("currency", "")).upper()
    if "currency" in fields and currency not in list_currencies():
        errors["currency"] = _("“%(code)s” is not a currency code (ISO 4217, such as EUR).") % {
            "code": fields["currency"]
        }
    if errors:
        raise ValidationError(errors)


def _set_current(kpi: ValueKPI, day: date, quantity: Decimal, user: User) -> None:
    ValueReading.objects.update_or_create(
        kpi=kpi, day=day, defaults={"quantity": quantity, "recorded_by": user}
    )
    latest = kpi.readings.order_by("-day").values_list("quantity", flat=True).first()
    kpi.current = latest if latest is not None else quantity
    # A changed figure is the customer's to confirm again.
    kpi.confirmed_by, kpi.confirmed_at = None, None
    kpi.save(update_fields=["current", "confirmed_by", "confirmed_at", "updated_at"])


@transaction.atomic
def define_value_kpi(
    account: Account, *, fields: dict[str, Any], current: Decimal, acting_user: User
) -> ValueKPI:
    """A new KPI with its first reading (today's current quantity)."""
    check_kpi(fields)
    fields = {**fields, "currency": str(fields["currency"]).upper()}
    kpi = ValueKPI.objects.create(
        account=account, created_by=acting_user, current=current, **fields
    )
    _set_current(kpi, timezone.localdate(), current, acting_user)
    record(
        gettext_noop("defined a value KPI"),
        actor=acting_user,
        account=account,
        target=kpi,
        after=snapshot(kpi, [*FIELDS, "current"]),
        internal=not kpi.shared,
    )
    return kpi


@transaction.atomic
def change_value_kpi(kpi: ValueKPI, *, fields: dict[str, Any], acting_user: User) -> ValueKPI:
    """Change a KPI's definition; its readings stay as they were."""
    check_kpi(fields)
    kpi = ValueKPI.objects.select_for_update().get(pk=kpi.pk)
    before = snapshot(kpi, FIELDS)
    for name, value in fields.items():
        setattr(kpi, name, value.upper() if name == "currency" else value)
    kpi.save()
    record(
        gettext_noop("changed a value KPI"),
        actor=acting_user,
        account=kpi.account,
        target=kpi,
        before=before,
        after=snapshot(kpi, FIELDS),
        internal=not kpi.shared,
    )
    return kpi


@transaction.atomic
def record_value_reading(
    kpi: ValueKPI, *, day: date, quantity: Decimal, acting_user: User
) -> ValueReading:
    """The quantity on ``day`` (a second reading on the same day corrects the first)."""
    if day > timezone.localdate():
        raise ValidationError({"day": _("A reading cannot be dated in the future.")})
    kpi = ValueKPI.objects.select_for_update().get(pk=kpi.pk)
    _set_current(kpi, day, quantity, acting_user)
    record(
        gettext_noop("recorded a value reading"),
        actor=acting_user,
        account=kpi.account,
        target=kpi,
        after={"day": day.isoformat(), "quantity": str(quantity)},
        internal=not kpi.shared,
    )
    return kpi.readings.get(day=day)


@transaction.atomic
def confirm_value_kpi(kpi: ValueKPI, *, acting_user: User) -> bool:
    """The customer confirms the KPI's current figure; False when it was already confirmed."""
    kpi = ValueKPI.objects.select_for_update().get(pk=kpi.pk)
    if not kpi.shared:
        raise ValidationError(_("This KPI is a draft: it cannot be confirmed until it is shared."))
    if kpi.confirmed_at is not None:
        return False
    kpi.confirmed_by, kpi.confirmed_at = acting_user, timezone.now()
    kpi.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    record(
        gettext_noop("confirmed a value KPI"),
        actor=acting_user,
        account=kpi.account,
        target=kpi,
        after={"current": str(kpi.current)},
    )
    return True


@transaction.atomic
def remove_value_kpi(kpi: ValueKPI, *, acting_user: User) -> None:
    record(
        gettext_noop("removed a value KPI"),
        actor=acting_user,
        account=kpi.account,
        before=snapshot(kpi, [*FIELDS, "current"]),
        internal=not kpi.shared,
    )
    kpi.delete()
