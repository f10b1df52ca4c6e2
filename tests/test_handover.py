"""The handover in the portal: the CSM fills it in and edits it, reviews it, and starts the
success plan from its objectives; bad input is a 4xx and loses nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from accounts.models import Activity
from handover import services
from handover.models import Handover, HandoverObjective, HandoverStatus
from successplans.models import Objective, SuccessPlan
from tests.conftest import World, client_for
from tests.factories import AccountFactory
from tests.handover_factories import form_data, make_handover
from tests.plan_helpers import make_plan
from tests.snapshot import unchanged


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 9, tzinfo=UTC), tick=False)


@pytest.fixture
def csm(world: World) -> Client:
    return client_for(world.csm)


EDIT = "/a/acme/handover/edit/"
TAKE = "/a/acme/handover/objectives/take/"


def test_the_csm_fills_in_a_new_handover(world: World, csm: Client) -> None:
    data = form_data(
        objectives=[{"title": "Close in two days", "why": "Board pack", "measure": "days"}, {}],
        stakeholders=[{"name": "Eli", "email": "eli@acme.example", "influence": "high"}],
        promises=[{"promise": "SSO first", "promised_by": "Jordan", "due_on": "2026-12-01"}],
    )
    response = csm.post(EDIT, data)
    assert response.status_code == 302
    assert response["Location"] == "/a/acme/handover/"
    handover = Handover.objects.get(account=world.account)
    assert handover.status == HandoverStatus.DRAFT
    assert handover.filled_by == world.csm
    assert [(o.title, o.measure) for o in handover.objectives.all()] == [
        ("Close in two days", "days")
    ]
    assert handover.stakeholders.get().email == "eli@acme.example"
    assert handover.promises.get().promised_by == "Jordan"
    assert Activity.objects.filter(verb="filled in the handover", internal=True).exists()


def test_editing_keeps_an_objective_taken_into_the_plan(world: World, csm: Client) -> None:
    handover = make_handover(world, objectives=1)
    kept = handover.objectives.get()
    HandoverObjective.objects.filter(pk=kept.pk).update(taken_at=datetime(2026, 11, 1, tzinfo=UTC))
    data = form_data(
        objectives=[{"id": kept.pk, "title": "Renamed", "why": "", "measure": ""}],
        initial_objectives=1,
    )
    assert csm.post(EDIT, data).status_code == 302
    kept.refresh_from_db()
    assert kept.title == "Renamed"
    assert kept.taken_at is not None
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.RECEIVED  # editing keeps where it came from


def test_removing_a_row(world: World, csm: Client) -> None:
    handover = make_handover(world, objectives=2)
    first, second = handover.objectives.all()
    data = form_data(
        objectives=[
            {"id": first.pk, "title": first.title},
            {"id": second.pk, "title": second.title, "DELETE": "on"},
        ],
        initial_objectives=2,
    )
    assert csm.post(EDIT, data).status_code == 302
    assert list(handover.objectives.values_list("title", flat=True)) == [first.title]


@pytest.mark.parametrize(
    "data,message",
    [
        (form_data(objectives=[]), "Name at least one objective"),
        (form_data(objectives=[{"title": "", "why": "A reason without an objective"}]), "required"),
        (
            form_data(
                stakeholders=[{"name": "Eli", "email": "not-an-address", "influence": "high"}]
            ),
            "valid email",
        ),
        (form_data(deal_amount="lots"), "number"),
    ],
)
def test_bad_input_is_a_422_and_changes_nothing(
    world: World, csm: Client, data: dict[str, Any], message: str
) -> None:
    make_handover(world)
    with unchanged():
        response = csm.post(EDIT, data)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_the_form_shows_the_handover_as_it_is(world: World, csm: Client) -> None:
    handover = make_handover(world)
    page = csm.get(EDIT).content.decode()
    for objective in handover.objectives.all():
        assert f'value="{objective.title}"' in page


def test_the_csm_marks_it_reviewed_once(world: World, csm: Client) -> None:
    handover = make_handover(world)
    assert csm.post("/a/acme/handover/review/").status_code == 302
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.REVIEWED
    assert handover.reviewed_by == world.csm
    with unchanged():
        csm.post("/a/acme/handover/review/")


def test_reviewing_nothing_is_refused(world: World, csm: Client) -> None:
    with unchanged():
        assert csm.post("/a/acme/handover/review/").status_code == 409


def test_the_objectives_start_the_plan_once(world: World, csm: Client) -> None:
    plan = make_plan(world)
    before = set(plan.objectives.values_list("pk", flat=True))
    handover = make_handover(world, objectives=2)
    response = csm.post(TAKE)
    assert response.status_code == 302
    added = plan.objectives.exclude(pk__in=before)
    assert sorted(added.values_list("title", flat=True)) == ["Objective 1", "Objective 2"]
    first = added.get(title="Objective 1")
    assert "Measured by: A number that moves." in first.why
    assert not first.internal  # the plan is mutual: shared with the customer
    for item in handover.objectives.all():
        assert item.taken_at is not None
        assert item.plan_objective is not None
    assert Activity.objects.filter(verb="added an objective", account=world.account).count() == 2
    assert Activity.objects.filter(verb__startswith="started the plan from the handover").exists()
    # Not offered twice.
    with unchanged():
        assert csm.post(TAKE).status_code == 409
    assert "Add 2 objectives" not in csm.get("/a/acme/handover/").content.decode()


def test_a_new_objective_is_offered_after_the_first_ones_were_taken(
    world: World, csm: Client
) -> None:
    make_plan(world)
    handover = make_handover(world, objectives=1)
    csm.post(TAKE)
    services.receive_handover(
        world.account,
        services.HandoverIn(
            objectives=[
                services.ObjectiveIn(title="Objective 1"),
                services.ObjectiveIn(title="New"),
            ]
        ),
        source="CRM",
        acting_user=None,
    )
    assert handover.objectives.filter(taken_at__isnull=True).get().title == "New"
    assert "Add 1 objective to the plan" in csm.get("/a/acme/panels/handover/").content.decode()


def test_without_a_plan_the_objectives_wait_for_one(world: World, csm: Client) -> None:
    make_handover(world)
    with unchanged():
        assert csm.post(TAKE).status_code == 409
    assert "start the plan" in csm.get("/a/acme/handover/").content.decode()


def test_an_empty_plan_is_offered_to_start_from_the_handover(world: World, csm: Client) -> None:
    plan = make_plan(world)
    plan.objectives.all().delete()
    make_handover(world, objectives=3)
    panel = csm.get("/a/acme/panels/handover/").content.decode()
    assert "Start the success plan from the handover: 3 objectives" in panel


def test_a_plan_of_another_account_is_refused(world: World) -> None:
    other_plan = SuccessPlan.objects.create(
        account=AccountFactory.create(),
        name="Theirs",
        starts_on="2026-11-01",
        ends_on="2027-10-31",
        created_by=world.csm,
    )
    handover = make_handover(world)
    with unchanged(), pytest.raises(services.NothingToTake):
        services.take_objectives(handover, other_plan, acting_user=world.csm)


def test_the_360_card_shows_the_handover(world: World, csm: Client) -> None:
    make_plan(world)
    make_handover(world, objectives=2)
    panel = csm.get("/a/acme/panels/handover/").content.decode()
    assert "Received, to review" in panel
    assert "Objective 1" in panel
    assert "Add 2 objectives to the plan" in panel
    assert "/a/acme/handover/" in panel


def test_the_360_card_says_how_to_start_without_a_handover(world: World, csm: Client) -> None:
    panel = csm.get("/a/acme/panels/handover/").content.decode()
    assert "No handover from sales yet" in panel
    assert EDIT in panel


def test_the_360_page_has_the_card_slot(world: World, csm: Client) -> None:
    assert "/a/acme/panels/handover/" in csm.get("/a/acme/360/").content.decode()


@pytest.mark.parametrize("persona", ["champion", "executive", "member"])
def test_customers_never_see_it(world: World, persona: str) -> None:
    make_handover(world)
    client = client_for(world.persona(persona))
    assert client.get("/a/acme/handover/").status_code == 403
    assert client.get("/a/acme/panels/handover/").status_code == 403
    assert "panels/handover" not in client.get("/a/acme/").content.decode()


def test_another_csm_gets_a_404(world: World) -> None:
    make_handover(world)
    client = client_for(world.other_csm)
    with unchanged():
        assert client.get("/a/acme/handover/").status_code == 404
        assert client.post(EDIT, form_data()).status_code == 404
        assert client.post(TAKE).status_code == 404


def test_the_page_queries_do_not_grow_with_the_lists(
    world: World, csm: Client, django_assert_max_num_queries: Any
) -> None:
    handover = make_handover(world, objectives=1)
    csm.get("/a/acme/handover/")
    from tests.handover_factories import HandoverObjectiveFactory, StakeholderFactory

    for _ in range(15):
        HandoverObjectiveFactory.create(handover=handover)
        StakeholderFactory.create(handover=handover)
    with django_assert_max_num_queries(25):
        assert csm.get("/a/acme/handover/").status_code == 200


def test_problems_names_every_field() -> None:
    data = services.HandoverIn(
        objectives=[services.ObjectiveIn(title="")],
        stakeholders=[services.StakeholderIn(name="", email="x", influence="vast")],
        promises=[services.PromiseIn(promise=" ")],
    )
    assert {field for field, _ in services.problems(data)} == {
        "objectives[0].title",
        "stakeholders[0].name",
        "stakeholders[0].email",
        "stakeholders[0].influence",
        "promises[0].promise",
    }


def test_objective_needs_one(db: None) -> None:
    assert services.problems(services.HandoverIn()) == [
        ("objectives", "name at least one objective")
    ]
    assert Objective.objects.count() == 0


def test_from_the_360_card_the_csm_lands_on_the_plan(world: World, csm: Client) -> None:
    plan = make_plan(world)
    make_handover(world, objectives=1)
    assert 'name="next" value="plan"' in csm.get("/a/acme/panels/handover/").content.decode()
    response = csm.post(TAKE, {"next": "plan"})
    assert response.status_code == 302
    assert response["Location"] == f"/a/acme/plans/{plan.pk}/"
    assert plan.objectives.filter(title="Objective 1").exists()
