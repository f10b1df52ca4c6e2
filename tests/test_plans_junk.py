"""Bug 16: junk in a request is a 4xx, never a 500. Every query and form parameter the plan
views read gets "abc", "-1", "99999999999" and ""; an id that is junk answers 404 or 422."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from successplans.models import KPI, ActionItem, Milestone, Objective, PlanTemplate, SuccessPlan
from tests.conftest import World, client_for
from tests.plan_helpers import freeze_today, make_plan, plan_rows

JUNK = ["abc", "-1", "99999999999", ""]


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[SuccessPlan], str]
    param: str
    data: Callable[[SuccessPlan], dict[str, Any]] = lambda plan: {}
    is_id: bool = False  # junk (but "") answers 404 or 422
    persona: str = "csm"
    extra: dict[str, Any] = field(default_factory=dict)


def plan_url(name: str, *args: Any) -> Callable[[SuccessPlan], str]:
    return lambda plan: reverse(name, args=[plan.account.slug, plan.pk, *args])


def item_url(
    name: str, kind: str, item: Callable[[SuccessPlan], Any]
) -> Callable[[SuccessPlan], str]:
    return lambda plan: reverse(name, args=[plan.account.slug, plan.pk, kind, item(plan).pk])


def kpi(plan: SuccessPlan) -> KPI:
    return KPI.objects.get(objective__plan=plan)


def objective(plan: SuccessPlan) -> Objective:
    return Objective.objects.get(plan=plan, internal=False)


def milestone(plan: SuccessPlan) -> Milestone:
    first = Milestone.objects.filter(plan=plan).first()
    assert first is not None
    return first


def action(plan: SuccessPlan) -> ActionItem:
    return ActionItem.objects.get(plan=plan, title="Share finance workflows")


def template(plan: SuccessPlan) -> PlanTemplate:
    return PlanTemplate.objects.get()


ACTION = {"title": "Do it", "side": "customer", "status": "open"}
MILESTONE = {"title": "Go-live", "owner_side": "customer", "status": "planned"}
NEW_PLAN = {"name": "Next", "starts_on": "2027-01-01", "ends_on": "2027-12-31", "template": ""}

CASES = [
    # Adding an item: the KPI's objective, read from the query string and from the form.
    Case("kpi add: objective (GET)", "get", plan_url("plan_item_add", "kpi"), "objective", is_id=True),
    Case("kpi add: objective (POST)", "post", plan_url("plan_item_add", "kpi"), "objective",
         lambda p: {"name": "K", "baseline": "1", "target": "2"}, is_id=True),
    Case("kpi add: baseline", "post", plan_url("plan_item_add", "kpi"), "baseline",
         lambda p: {"objective": objective(p).pk, "name": "K", "target": "2"}),
    Case("action add: assignee", "post", plan_url("plan_item_add", "action"), "assignee",
         lambda p: ACTION, is_id=True),
    Case("action add: side", "post", plan_url("plan_item_add", "action"), "side", lambda p: ACTION),
    Case("action add: due date", "post", plan_url("plan_item_add", "action"), "due_date",
         lambda p: ACTION),
    Case("milestone add: status", "post", plan_url("plan_item_add", "milestone"), "status",
         lambda p: {**MILESTONE, "target_date": "2027-01-01"}),
    Case("milestone add: target date", "post", plan_url("plan_item_add", "milestone"),
         "target_date", lambda p: MILESTONE),
    Case("objective add: owner", "post", plan_url("plan_item_add", "objective"), "owner",
         lambda p: {"title": "T"}, is_id=True),
    # Editing: the version the edit was made on, people, dates.
    Case("objective edit: owner", "post", item_url("plan_item_edit", "objective", objective),
         "owner", lambda p: {"title": "T", "version": objective(p).version}, is_id=True),
    Case("objective edit: version", "post", item_url("plan_item_edit", "objective", objective),
         "version", lambda p: {"title": "T"}),
    Case("action edit: assignee", "post", item_url("plan_item_edit", "action", action),
         "assignee", lambda p: {**ACTION, "version": action(p).version}, is_id=True),
    Case("kpi edit: target", "post", item_url("plan_item_edit", "kpi", kpi), "target",
         lambda p: {"name": "K", "baseline": "1", "version": kpi(p).version}),
    Case("kpi edit: source", "post", item_url("plan_item_edit", "kpi", kpi), "source",
         lambda p: {"name": "K", "baseline": "1", "target": "2", "version": kpi(p).version}),
    # Statuses and values.
    Case("status", "post", item_url("plan_item_status", "action", action), "status"),
    Case("kpi value: current", "post", plan_url("plan_kpi_value", 0), "current",
         lambda p: {"version": kpi(p).version}, persona="champion"),
    Case("kpi value: version", "post", plan_url("plan_kpi_value", 0), "version",
         lambda p: {"current": "30"}, persona="champion"),
    # The discussion: what a comment is about ("kind:id").
    Case("comment: about", "post", plan_url("plan_comment"), "about", lambda p: {"body": "Hi"},
         is_id=True, persona="champion"),
    Case("comment: about an item", "post", plan_url("plan_comment"), "about",
         lambda p: {"body": "Hi"}, is_id=True, persona="champion", extra={"prefix": "objective:"}),
    # The CSM's settings and judgement.
    Case("health", "post", plan_url("plan_health"), "health", lambda p: {"reason": "Because"}),
    Case("settings", "post", plan_url("plan_settings"), "champion_edits_kpis"),
    # A new plan: its template and dates.
    Case("new plan: template", "post", lambda p: reverse("plan_create", args=["acme"]),
         "template", lambda p: NEW_PLAN, is_id=True),
    Case("new plan: start", "post", lambda p: reverse("plan_create", args=["acme"]), "starts_on",
         lambda p: NEW_PLAN),
    # The print view's choice.
    Case("print: internal", "get", plan_url("plan_print"), "internal"),
    # Saving as a template: the items ticked.
    Case("save as template: copy", "post", plan_url("plan_save_as_template"), "copy",
         lambda p: {"name": "Fine"}, is_id=True),
    Case("save as template: keep", "post", plan_url("plan_save_as_template"), "keep_as_written",
         lambda p: {"name": "Fine"}, is_id=True),
    # The portfolio's filters and page.
    Case("portfolio: page", "get", lambda p: reverse("plan_portfolio"), "page"),
    Case("portfolio: health", "get", lambda p: reverse("plan_portfolio"), "health"),
    Case("portfolio: search", "get", lambda p: reverse("plan_portfolio"), "q"),
    # Plan templates.
    Case("template: new item kind", "post", lambda p: reverse("plan_template", args=[template(p).pk]),
         "kind", lambda p: {"title": "T", "owner_side": "customer", "offset_days": "3"}),
    Case("template: offset", "post", lambda p: reverse("plan_template", args=[template(p).pk]),
         "offset_days", lambda p: {"kind": "action", "title": "T", "owner_side": "customer"}),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    freeze_today(time_machine)


@pytest.mark.parametrize("value", JUNK)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_junk_is_never_a_server_error(world: World, case: Case, value: str) -> None:
    plan = make_plan(world)
    PlanTemplate.objects.create(name="Skeleton", created_by=world.csm)
    client = client_for(world.persona(case.persona))
    path = case.url(plan)
    if "/kpi/0/value/" in path:  # the KPI's id is known only now
        path = path.replace("/kpi/0/", f"/kpi/{kpi(plan).pk}/")
    sent = case.extra.get("prefix", "") + value
    before = plan_rows()
    if case.method == "get":
        response = client.get(path, {case.param: sent})
    else:
        response = client.post(path, {**case.data(plan), case.param: sent})
    assert response.status_code < 500, (case.name, value, response.status_code)
    if case.is_id and value:
        assert response.status_code in (404, 422), (case.name, value, response.status_code)
    if response.status_code >= 400 and case.method == "post":
        assert plan_rows() == before, (case.name, value)


def test_the_kpi_add_form_without_an_objective_is_not_found(world: World) -> None:
    plan = make_plan(world)
    response = client_for(world.csm).get(reverse("plan_item_add", args=["acme", plan.pk, "kpi"]))
    assert response.status_code == 404


def test_an_objective_of_another_plan_is_not_found(world: World) -> None:
    plan, other = make_plan(world), make_plan(world)
    foreign = Objective.objects.get(plan=other, internal=False)
    response = client_for(world.csm).get(
        reverse("plan_item_add", args=["acme", plan.pk, "kpi"]), {"objective": foreign.pk}
    )
    assert response.status_code == 404
