"""Value realized: factories, and its rows of the access matrix (tests/test_access_matrix.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from accounts.models import Account
from insights.models import Contract
from tests.conftest import World
from tests.factories import AccountFactory
from value.models import Driver, Period, ValueKPI, ValueReading

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
VALUE_READ = [L, 200, 200, 403, 404, 200, 404, 200]
VENDOR_READ = [L, 403, 403, 403, 404, 200, 404, 200]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
CONFIRM_WRITE = [L, 302, 302, 403, 404, 403, 404, 403]
POST_ONLY = [405] * 8
# A KPI of another account, named under this one: nobody finds it.
OTHER_ACCOUNTS = [L, 403, 403, 403, 404, 404, 404, 404]

VALUE_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "value": (VALUE_READ, None),
    "value_kpi_create": (VENDOR_READ, VENDOR_WRITE),
    "value_kpi_edit": (VENDOR_READ, VENDOR_WRITE),
    "value_kpi_remove": (POST_ONLY, VENDOR_WRITE),
    "value_reading_add": (POST_ONLY, VENDOR_WRITE),
    "value_kpi_confirm": (POST_ONLY, CONFIRM_WRITE),
    "value_kpi_edit#other_account": (OTHER_ACCOUNTS, OTHER_ACCOUNTS),
    "value_reading_add#other_account": (POST_ONLY, OTHER_ACCOUNTS),
    # A draft is the vendor's: a customer confirming it finds nothing.
    "value_kpi_confirm#draft": (POST_ONLY, [L, 404, 404, 403, 404, 403, 404, 403]),
}
VALUE_PANELS = {"value": VALUE_READ}


class ValueKPIFactory(factory.django.DjangoModelFactory[ValueKPI]):
    class Meta:
        model = ValueKPI

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Hours saved ({n})")
    driver = Driver.TIME
    unit = "hours"
    baseline = Decimal(0)
    current = Decimal(100)
    unit_value = Decimal("55.00")
    currency = "EUR"
    period = Period.MONTH
    shared = True


class ValueReadingFactory(factory.django.DjangoModelFactory[ValueReading]):
    class Meta:
        model = ValueReading

    kpi = factory.SubFactory(ValueKPIFactory)
    day = factory.LazyFunction(timezone.localdate)
    quantity = Decimal(100)


def kpi_with_readings(
    account: Account, readings: list[tuple[date, str]], **fields: Any
) -> ValueKPI:
    """A KPI whose current quantity is its last reading, as the services leave it."""
    kpi = ValueKPIFactory.create(account=account, current=Decimal(readings[-1][1]), **fields)
    for day, quantity in readings:
        ValueReadingFactory.create(kpi=kpi, day=day, quantity=Decimal(quantity))
    return kpi


def contract(account: Account, yearly: str, currency: str = "EUR", **fields: Any) -> Contract:
    """A year's contract running today, worth ``yearly`` a year."""
    today = timezone.localdate()
    return Contract.objects.create(
        account=account,
        external_id=f"C-{account.slug}-{currency}-{Contract.objects.count()}",
        starts_on=today.replace(day=1, month=1),
        ends_on=today.replace(day=1, month=1, year=today.year + 1),
        recurring_value=Decimal(yearly),
        term_months=12,
        currency=currency,
        **fields,
    )


def make_value_world(world: World) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "shared": kpi_with_readings(world.account, [(today, "120")], name="Hours saved"),
        "draft": kpi_with_readings(world.account, [(today, "40")], name="Licences", shared=False),
        "other_account": kpi_with_readings(world.other_account, [(today, "9")], name="Bluth's"),
    }


def value_url_args(p: dict[str, Any], slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    definition = {
        "name": "Tickets avoided",
        "driver": "tickets",
        "unit": "tickets",
        "baseline": "900",
        "lower_is_better": "on",
        "unit_value": "18.00",
        "currency": "EUR",
        "period": "month",
        "agreed_with": "Dana",
        "notes": "",
        "shared": "on",
    }
    shared, other = p["shared"].pk, p["other_account"].pk
    reading = {"day": timezone.localdate().isoformat(), "quantity": "150"}
    return {
        "value_kpi_create": ([slug], {**definition, "current": "600"}),
        "value_kpi_edit": ([slug, shared], definition),
        "value_kpi_remove": ([slug, shared], {}),
        "value_reading_add": ([slug, shared], reading),
        "value_kpi_confirm": ([slug, shared], {}),
        "value_kpi_edit#other_account": ([slug, other], definition),
        "value_reading_add#other_account": ([slug, other], reading),
        "value_kpi_confirm#draft": ([slug, p["draft"].pk], {}),
    }
