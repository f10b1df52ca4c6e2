"""Junk in, a clear 4xx out: every onboarding view that reads an id or a number answers 404
or 422 for junk, never 500, and changes nothing. And the views keep to their part: no writes,
no role decisions, none in the templates either."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from onboarding.models import Task, TemplatePhase, TemplateTask
from tests.conftest import World, client_for
from tests.factories import AccountFactory
from tests.onboarding_helpers import NOW, onboarding_state, start

JUNK = ["abc", "-1", "99999999999", "", "99999999999999999999", "1.5"]


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def ctx(world: World) -> dict[str, Any]:
    checklist = start(world)
    assert checklist.template is not None
    template_phase = TemplatePhase.objects.filter(template=checklist.template).first()
    assert template_phase is not None
    AccountFactory.create(name="Fresh", slug="fresh", owner=world.csm)  # no onboarding yet
    return {
        "world": world,
        "checklist": checklist,
        "task": Task.objects.get(title="Share your goals"),
        "template": checklist.template,
        "template_phase": template_phase,
        "template_task": TemplateTask.objects.filter(phase=template_phase).first(),
    }


@dataclass(frozen=True)
class Case:
    """``field`` of ``view`` set to a junk value. ``empty`` is the answer to "" where an empty
    value means something (no assignee, no due date, any status), None where it is junk too."""

    view: str
    field: str
    persona: str
    method: str
    path: Callable[[dict[str, Any], str], str]
    data: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    empty: int | None = None


def task_path(suffix: str = "") -> Callable[[dict[str, Any], str], str]:
    return lambda ctx, v: f"/a/acme/onboarding/tasks/{ctx['task'].pk}/{suffix}"


def template_path(suffix: str) -> Callable[[dict[str, Any], str], str]:
    return lambda ctx, v: f"/console/templates/{ctx['template'].pk}/{suffix}"


def task_form(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "phase": ctx["task"].phase_id, "title": "Security review", "owner_side": "customer",
        "required": "on", "client_token": str(uuid.uuid4()), "version": ctx["task"].version,
    }  # fmt: skip


def template_task_form(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": "Invite your team", "owner_side": "customer", "default_role": "champion",
        "due_offset_days": "3", "phase": ctx["template_phase"].pk, "required": "on",
    }  # fmt: skip


LADDER = {"remind_assignee_after": 1, "remind_champion_after": 4, "remind_csm_after": 7}
CASES = [
    # Values in the form.
    Case("onboarding_start", "template", "csm", "post", lambda c, v: "/a/fresh/onboarding/start/",
         lambda c: {"template": c["template"].pk, "kickoff_date": "2026-03-10"}),
    Case("onboarding_start", "kickoff_date", "csm", "post", lambda c, v: "/a/fresh/onboarding/start/",
         lambda c: {"template": c["template"].pk, "kickoff_date": "2026-03-10"}),
    Case("onboarding_task_done", "done", "champion", "post", task_path("done/")),
    Case("onboarding_task_assign", "assignee", "csm", "post", task_path("assign/"), empty=302),
    Case("onboarding_task_add", "phase", "csm", "post", lambda c, v: "/a/acme/onboarding/tasks/add/", task_form),
    Case("onboarding_task_add", "assignee", "csm", "post", lambda c, v: "/a/acme/onboarding/tasks/add/", task_form, empty=302),
    Case("onboarding_task_add", "due_date", "csm", "post", lambda c, v: "/a/acme/onboarding/tasks/add/", task_form, empty=302),
    Case("onboarding_task_edit", "phase", "csm", "post", task_path("edit/"), task_form),
    Case("onboarding_task_edit", "assignee", "csm", "post", task_path("edit/"), task_form, empty=302),
    Case("onboarding_task_edit", "version", "csm", "post", task_path("edit/"), task_form),
    Case("onboarding_task_move", "direction", "csm", "post", task_path("move/")),
    Case("onboarding_ladder", "remind_champion_after", "csm", "post", lambda c, v: "/a/acme/onboarding/ladder/", lambda c: dict(LADDER)),
    Case("onboarding_portfolio", "page", "csm", "get", lambda c, v: "/onboarding/"),
    Case("onboarding_portfolio", "status", "csm", "get", lambda c, v: "/onboarding/", empty=200),
    Case("onboarding_portfolio", "sort", "csm", "get", lambda c, v: "/onboarding/", empty=200),
    Case("template_task_add", "due_offset_days", "csm", "post", template_path("phases/{phase}/tasks/add/"), template_task_form),
    Case("template_task_edit", "phase", "csm", "post", template_path("tasks/{task}/"), template_task_form),
    Case("template_task_edit", "due_offset_days", "csm", "post", template_path("tasks/{task}/"), template_task_form),
    Case("phase_move", "direction", "csm", "post", template_path("phases/{phase}/move/")),
    Case("template_task_move", "direction", "csm", "post", template_path("tasks/{task}/move/")),
    # Ids in the path.
    Case("onboarding_task", "pk", "champion", "get", lambda c, v: f"/a/acme/onboarding/tasks/{v}/"),
    Case("onboarding_task_done", "pk", "champion", "post", lambda c, v: f"/a/acme/onboarding/tasks/{v}/done/"),
    Case("onboarding_task_edit", "pk", "csm", "post", lambda c, v: f"/a/acme/onboarding/tasks/{v}/edit/"),
    Case("template_edit", "pk", "csm", "get", lambda c, v: f"/console/templates/{v}/"),
    Case("phase_move", "phase_pk", "csm", "post", lambda c, v: f"/console/templates/{c['template'].pk}/phases/{v}/move/"),
    Case("template_task_edit", "task_pk", "csm", "get", lambda c, v: f"/console/templates/{c['template'].pk}/tasks/{v}/"),
]  # fmt: skip


def request_for(case: Case, ctx: dict[str, Any], value: str) -> tuple[str, dict[str, Any]]:
    path = case.path(ctx, value).format(
        phase=ctx["template_phase"].pk, task=ctx["template_task"].pk
    )
    data = case.data(ctx)
    if case.field not in ("pk", "phase_pk", "task_pk"):
        data[case.field] = value
    elif case.method == "post":
        data.setdefault("done", "1")
    return path, data


@pytest.mark.parametrize("value", JUNK)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.view}-{c.field}")
def test_junk_is_a_404_or_a_422_and_changes_nothing(
    ctx: dict[str, Any], case: Case, value: str
) -> None:
    path, data = request_for(case, ctx, value)
    client = client_for(ctx["world"].persona(case.persona))
    before = onboarding_state()
    for htmx in (False, True):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = getattr(client, case.method)(path, data, **headers)
        if value == "" and case.empty is not None:
            assert response.status_code == case.empty, (path, data)
            return  # an empty value that means something: not junk
        assert response.status_code in (404, 422), (path, data, htmx, response.status_code)
        if htmx and response.status_code == 422 and "HX-Retarget" in response:
            assert response["HX-Retarget"] == "#notice"
        assert onboarding_state() == before, (path, data, htmx)


def test_the_junk_cases_cover_every_onboarding_url_that_reads_an_id_or_a_number() -> None:
    from django.urls import URLPattern

    from onboarding.urls import template_urls, urlpatterns

    views = [p for p in [*urlpatterns, *template_urls] if isinstance(p, URLPattern)]
    with_ids = {p.name for p in views if "<int:" in str(p.pattern)}
    covered = {c.view for c in CASES if c.field in ("pk", "phase_pk", "task_pk")}
    # Each kind of id is tried on one view of each screen; the rest share the same converter
    # and the same look-up (get_task, _template, _phase, _task).
    assert covered <= with_ids
    assert {"onboarding_task", "template_edit", "phase_move", "template_task_edit"} <= covered


# The views keep to their part -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
WRITES = re.compile(
    r"\.save\(|\.delete\(|\.update\(|objects\.create|bulk_create|\brecord\(|\.get_or_create\("
)
ROLE_DECISIONS = re.compile(r"role\s*(==|!=|in\b)|Role\.|is_vendor|is_customer|VENDOR|CUSTOMER")


@pytest.mark.parametrize(
    "module", sorted((ROOT / "onboarding" / "views").glob("*.py")), ids=lambda p: p.name
)
def test_views_neither_write_nor_decide_by_role(module: Path) -> None:
    source = module.read_text()
    assert not WRITES.findall(source), module.name
    assert not ROLE_DECISIONS.findall(source), module.name
    assert "HttpResponse(" not in source  # refusals go through portal.htmx.refuse
    assert "status=400" not in source


@pytest.mark.parametrize(
    "template", sorted((ROOT / "templates" / "onboarding").glob("*.html")), ids=lambda p: p.name
)
def test_templates_ask_capabilities_not_roles(template: Path) -> None:
    source = template.read_text()
    assert not re.findall(r"[\"'](champion|executive|member|csm|admin)[\"']", source)
    assert not re.findall(r"\.role\b|is_vendor|is_customer", source), template.name


def test_the_checklist_module_is_split_by_screen() -> None:
    views = ROOT / "onboarding" / "views"
    assert "def task_detail" in (views / "task.py").read_text()
    assert "def task_detail" not in (views / "checklist.py").read_text()
