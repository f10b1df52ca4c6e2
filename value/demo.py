"""Demo value realized for Acme: hours saved x an hourly cost and support tickets avoided x the
cost of a ticket, shared, with monthly readings over half a year (Eli, the executive, has
confirmed the first); and a one-off licence saving still a draft. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Account, User
from insights.models import portal_currency

from .models import Driver, Period
from .services import confirm_value_kpi, define_value_kpi, record_value_reading

KPIS: list[tuple[dict[str, Any], list[str]]] = [
    (
        {
            "name": "Hours saved on month-end reporting",
            "driver": Driver.TIME,
            "unit": "hours",
            "baseline": Decimal(0),
            "lower_is_better": False,
            "unit_value": Decimal("55.00"),
            "period": Period.MONTH,
            "agreed_with": "Elijah Brooks, CFO",
            "notes": "Finance and operations teams' reporting time, from their timesheets.",
            "shared": True,
        },
        ["0", "60", "120", "180", "240", "290", "320"],
    ),
    (
        {
            "name": "Support tickets a month",
            "driver": Driver.TICKETS,
            "unit": "tickets",
            "baseline": Decimal(1400),
            "lower_is_better": True,
            "unit_value": Decimal("18.00"),
            "period": Period.MONTH,
            "agreed_with": "Dana Whitfield, Head of Operations",
            "notes": "Internal IT tickets about reports; the helpdesk's cost per ticket.",
            "shared": True,
        },
        ["1400", "1320", "1200", "1100", "1010", "950", "900"],
    ),
    (
        {
            "name": "BI licences retired",
            "driver": Driver.LICENCES,
            "unit": "licences",
            "baseline": Decimal(0),
            "lower_is_better": False,
            "unit_value": Decimal("600.00"),
            "period": Period.ONE_OFF,
            "agreed_with": "",
            "notes": "To agree with Elijah at the next review.",
            "shared": False,
        },
        ["40"],
    ),
]


def _month_starts(count: int, today: date) -> list[date]:
    """The first day of each of the ``count`` months up to today's, oldest first."""
    days, day = [], today.replace(day=1)
    for _ in range(count):
        days.append(day)
        day = (day - timedelta(days=1)).replace(day=1)
    return list(reversed(days))


def ensure_demo_value() -> int:
    acme = Account.objects.filter(slug="acme").first()
    csm = User.objects.filter(email="priya@northwind.example").first()
    executive = User.objects.filter(email="eli@acme.example").first()
    if acme is None or csm is None or acme.value_kpis.exists():
        return 0
    today = timezone.localdate()
    created = 0
    for fields, readings in KPIS:
        kpi = define_value_kpi(
            acme,
            fields={**fields, "currency": portal_currency()},
            current=Decimal(readings[-1]),
            acting_user=csm,
        )
        for day, quantity in zip(
            _month_starts(len(readings), today)[:-1], readings[:-1], strict=True
        ):
            record_value_reading(kpi, day=day, quantity=Decimal(quantity), acting_user=csm)
        created += 1
    first = acme.value_kpis.filter(shared=True).order_by("pk").first()
    if first is not None and executive is not None:
        confirm_value_kpi(first, acting_user=executive)
    return created
