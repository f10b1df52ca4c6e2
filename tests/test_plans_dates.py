"""Bug 8: absurd plan dates. Every date of a plan lies between 2000 and 2100, and a plan runs 5
years at most; anything else is refused with a clear message and a 422, and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from successplans.models import KPI, Milestone, Objective, SuccessPlan
from successplans.services import PLAN_MODELS, create_plan
from tests.conftest import World, client_for
from tests.plan_helpers import TODAY, freeze_today, make_plan, plan_rows

RANGE = "Choose a date between 1 January 2000 and 31 December 2100."
ABSURD = ["1900-01-01", "1999-12-31", "2101-01-01", "9999-12-31"]


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    freeze_today(time_machine)


def new_plan(**fields: str) -> dict[str, str]:
    return {
        "name": "FY27",
        "starts_on": "2026-12-01",
        "ends_on": "2027-11-30",
        "template": "",
        **fields,
    }


class TestThePlansOwnDates:
    @pytest.mark.parametrize("field", ["starts_on", "ends_on"])
    @pytest.mark.parametrize("value", ABSURD)
    def test_an_absurd_start_or_end_is_a_422(self, world: World, field: str, value: str) -> None:
        data = new_plan(**{field: value})
        if field == "starts_on":  # keep the end after the start, so the range is the reason
            data["ends_on"] = "1900-06-01" if value < "2000" else "9999-12-31"
        response = client_for(world.csm).post(reverse("plan_create", args=["acme"]), data)
        assert response.status_code == 422
        assert RANGE in response.content.decode()
        assert not SuccessPlan.objects.exists()

    def test_five_years_is_the_longest_plan(self, world: World) -> None:
        client = client_for(world.csm)
        response = client.post(
            reverse("plan_create", args=["acme"]), new_plan(ends_on="2031-12-02")
        )
        assert response.status_code == 422
        assert "A plan runs for 5 years at most: end it by 1 December 2031." in (
            response.content.decode()
        )
        assert not SuccessPlan.objects.exists()
        response = client.post(
            reverse("plan_create", args=["acme"]), new_plan(ends_on="2031-12-01")
        )
        assert response.status_code == 302
        assert SuccessPlan.objects.get().ends_on.isoformat() == "2031-12-01"

    @pytest.mark.parametrize(
        "starts_on,ends_on",
        [("2000-01-01", "2000-12-31"), ("2096-01-01", "2100-12-31")],
    )
    def test_the_first_and_last_days_of_the_range_are_fine(
        self, world: World, starts_on: str, ends_on: str
    ) -> None:
        response = client_for(world.csm).post(
            reverse("plan_create", args=["acme"]), new_plan(starts_on=starts_on, ends_on=ends_on)
        )
        assert response.status_code == 302
        assert SuccessPlan.objects.get().starts_on.isoformat() == starts_on

    def test_the_service_refuses_them_too(self, world: World) -> None:
        from datetime import date

        for starts_on, ends_on, field in [
            (date(1900, 1, 1), date(2027, 1, 1), "starts_on"),
            (TODAY, date(9999, 12, 31), "ends_on"),
            (TODAY, date(2032, 1, 1), "ends_on"),  # more than 5 years
        ]:
            with pytest.raises(ValidationError) as refused:
                create_plan(
                    world.account,
                    name="P",
                    starts_on=starts_on,
                    ends_on=ends_on,
                    template=None,
                    acting_user=world.csm,
                )
            assert field in refused.value.message_dict
        assert not SuccessPlan.objects.exists()

    def test_a_29_february_start_may_end_on_28_february_five_years_on(self) -> None:
        from datetime import date

        from successplans.models import latest_plan_end

        assert latest_plan_end(date(2028, 2, 29)) == date(2033, 2, 28)


ITEM_CASES = [
    ("objective", "target_date", {"title": "Adoption"}),
    ("milestone", "target_date", {"title": "Go-live", "owner_side": "customer", "status": "planned"}),
    ("action", "due_date", {"title": "Invite admins", "side": "customer", "status": "open"}),
    ("kpi", "target_date", {"name": "Seats", "baseline": "10", "target": "40"}),
]  # fmt: skip


class TestItemDates:
    @pytest.mark.parametrize("kind,field,data", ITEM_CASES)
    @pytest.mark.parametrize("value", ["2101-01-01", "9999-12-31"])
    def test_an_absurd_item_date_is_a_422_when_added(
        self, world: World, kind: str, field: str, data: dict[str, str], value: str
    ) -> None:
        plan = make_plan(world)
        if kind == "kpi":
            data = {**data, "objective": str(Objective.objects.get(internal=False).pk)}
        before = plan_rows()
        response = client_for(world.csm).post(
            reverse("plan_item_add", args=["acme", plan.pk, kind]), {**data, field: value}
        )
        assert response.status_code == 422
        assert RANGE in response.content.decode()
        assert plan_rows() == before

    @pytest.mark.parametrize("kind,field,data", ITEM_CASES)
    def test_an_absurd_item_date_is_a_422_when_edited(
        self, world: World, kind: str, field: str, data: dict[str, str]
    ) -> None:
        plan = make_plan(world)
        item = (
            KPI.objects.get(objective__plan=plan)
            if kind == "kpi"
            else PLAN_MODELS[kind].objects.filter(plan=plan, internal=False).first()
        )
        assert item is not None
        before = plan_rows()
        response = client_for(world.csm).post(
            reverse("plan_item_edit", args=["acme", plan.pk, kind, item.pk]),
            {**data, field: "9999-12-31", "version": item.version},
        )
        assert response.status_code == 422
        assert RANGE in response.content.decode()
        assert plan_rows() == before

    def test_a_date_before_the_plan_is_still_refused_as_such(self, world: World) -> None:
        plan = make_plan(world)
        before = plan_rows()
        response = client_for(world.csm).post(
            reverse("plan_item_add", args=["acme", plan.pk, "milestone"]),
            {"title": "Go-live", "owner_side": "customer", "status": "planned",
             "target_date": "2000-01-01"},
        )  # fmt: skip
        assert response.status_code == 422
        assert "before the plan starts" in response.content.decode()
        assert plan_rows() == before

    def test_a_sensible_date_is_saved(self, world: World) -> None:
        plan = make_plan(world)
        response = client_for(world.csm).post(
            reverse("plan_item_add", args=["acme", plan.pk, "milestone"]),
            {"title": "Go-live", "owner_side": "customer", "status": "planned",
             "target_date": "2027-02-01"},
        )  # fmt: skip
        assert response.status_code == 302
        assert Milestone.objects.get(title="Go-live").target_date.isoformat() == "2027-02-01"

    def test_the_date_fields_tell_the_browser_the_range(self, world: World) -> None:
        plan = make_plan(world)
        page = client_for(world.csm).get(
            reverse("plan_item_add", args=["acme", plan.pk, "milestone"])
        )
        assert 'min="2000-01-01"' in page.content.decode()
        assert 'max="2100-12-31"' in page.content.decode()
