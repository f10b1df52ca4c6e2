"""Factories for the handover's models, a form payload, and the handover's rows of the URL x
role access matrix (tests/test_access_matrix.py)::

    EXPECTED.update(HANDOVER_EXPECTED)
    # in matrix_world:   ctx["handover"] = make_handover_world(world)
    # in url_and_data:   **handover_url_args(ctx["handover"], slug),
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory

from handover.models import Handover, HandoverObjective, HandoverStatus, Promise, Stakeholder
from tests.conftest import World
from tests.factories import AccountFactory

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
VENDOR_READ = [L, 403, 403, 403, 404, 200, 404, 200]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
POST_ONLY = [405] * 8
KEY_ONLY = [401] * 8  # no persona sends a key

HANDOVER_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "handover": (VENDOR_READ, None),
    "handover_edit": (VENDOR_READ, VENDOR_WRITE),
    "handover_review": (POST_ONLY, VENDOR_WRITE),
    "handover_take_objectives": (POST_ONLY, VENDOR_WRITE),
    # One path, GET and PUT; the matrix's POST is not one of its methods.
    "api_v1:account_handover": (KEY_ONLY, POST_ONLY),
    "api_v1:account_handover_read": (KEY_ONLY, POST_ONLY),
}
# The 360° card: the vendor's alone.
HANDOVER_PANEL_EXPECTED = {"handover": VENDOR_READ}


class HandoverFactory(factory.django.DjangoModelFactory[Handover]):
    class Meta:
        model = Handover

    account = factory.SubFactory(AccountFactory)
    expectations = "Month-end close in two days."
    challenges = "Forty carriers, four invoice formats."
    deal_closed_on = date(2026, 10, 1)
    deal_amount = Decimal("48000.00")
    sales_owner = "Jordan Blake"
    source_id = "006-ACME"
    status = HandoverStatus.RECEIVED


class HandoverObjectiveFactory(factory.django.DjangoModelFactory[HandoverObjective]):
    class Meta:
        model = HandoverObjective

    handover = factory.SubFactory(HandoverFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    why = "It matters."
    measure = "A number that moves."
    position = factory.Sequence(int)


class StakeholderFactory(factory.django.DjangoModelFactory[Stakeholder]):
    class Meta:
        model = Stakeholder

    handover = factory.SubFactory(HandoverFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    title = "CFO"
    deal_role = "Signer"
    email = factory.Sequence(lambda n: f"person{n}@customer.example")
    influence = "high"


class PromiseFactory(factory.django.DjangoModelFactory[Promise]):
    class Meta:
        model = Promise

    handover = factory.SubFactory(HandoverFactory)
    promise = "SSO before go-live"
    promised_by = "Jordan Blake"
    due_on = date(2026, 12, 1)


def make_handover(world: World, *, objectives: int = 2, **fields: Any) -> Handover:
    handover = HandoverFactory.create(account=world.account, **fields)
    for i in range(objectives):
        HandoverObjectiveFactory.create(handover=handover, title=f"Objective {i + 1}", position=i)
    StakeholderFactory.create(handover=handover)
    PromiseFactory.create(handover=handover)
    return handover


def make_handover_world(world: World) -> dict[str, Any]:
    return {"handover": make_handover(world)}


def formset(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def form_data(
    objectives: list[dict[str, Any]] | None = None,
    stakeholders: list[dict[str, Any]] | None = None,
    promises: list[dict[str, Any]] | None = None,
    initial_objectives: int = 0,
    **main: Any,
) -> dict[str, Any]:
    """The edit form's POST: the main fields and the three formsets."""
    data: dict[str, Any] = {
        "expectations": "Close in two days.",
        "challenges": "",
        "deal_closed_on": "2026-10-01",
        "deal_amount": "48000",
        "sales_owner": "Jordan Blake",
        "source_id": "006-ACME",
        **main,
    }
    if objectives is None:
        objectives = [{"title": "Close the books in two days", "why": "", "measure": ""}]
    data |= formset("objectives", objectives, initial_objectives)
    data |= formset("stakeholders", stakeholders or [])
    data |= formset("promises", promises or [])
    return data


def handover_url_args(
    ctx: dict[str, Any], slug: str
) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    handover: Handover = ctx["handover"]
    kept = [
        {"id": o.pk, "title": o.title, "why": o.why, "measure": o.measure}
        for o in handover.objectives.all()
    ]
    return {
        "handover_edit": (
            [slug],
            form_data(objectives=[*kept, {"title": "A new one"}], initial_objectives=len(kept)),
        ),
        "api_v1:account_handover": ([slug], {}),
        "api_v1:account_handover_read": ([slug], {}),
    }
