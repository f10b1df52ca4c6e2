"""The CSM's checklist templates: building, copying, reordering and archiving them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Activity
from onboarding import services
from onboarding.demo import DEMO_TEMPLATE_NAME, ensure_demo_template
from onboarding.models import ChecklistTemplate, Task, TemplatePhase, TemplateTask
from tests.conftest import World, client_for
from tests.onboarding_helpers import NOW, onboarding_state

VALID_TASK = {
    "title": "Invite your team",
    "description": "Invite **everyone** who will use it.",
    "owner_side": "customer",
    "default_role": "champion",
    "due_offset_days": "7",
    "resource_links": "Inviting users https://docs.example.com/admin/invite\nhttps://docs.example.com/roles",
    "required": "on",
}


def make_template(world: World, name: str = "Mid-market onboarding") -> ChecklistTemplate:
    """A template of two phases: Kickoff (two tasks) and Go-live (one)."""
    template = services.create_template(name=name, acting_user=world.csm)
    kickoff = services.add_phase(template, name="Kickoff", acting_user=world.csm)
    go_live = services.add_phase(template, name="Go-live", acting_user=world.csm)
    for phase, title, offset in [
        (kickoff, "Kickoff call", 0),
        (kickoff, "Invite your team", 3),
        (go_live, "First report shared", 30),
    ]:
        services.add_template_task(
            phase,
            fields={"title": title, "due_offset_days": offset, "default_role": "champion"},
            acting_user=world.csm,
        )
    return template


def shape(template: ChecklistTemplate) -> list[tuple[str, list[tuple[str, int]]]]:
    return [
        (phase.name, [(t.title, t.due_offset_days) for t in phase.tasks.all()])
        for phase in template.phases.prefetch_related("tasks")
    ]


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def csm(world: World) -> Client:
    return client_for(world.csm)


# Creating and editing -----------------------------------------------------------------------


def test_a_csm_creates_a_template_and_lands_on_its_edit_page(world: World, csm: Client) -> None:
    response = csm.post(
        reverse("template_create"), {"name": "  SMB onboarding ", "description": "Two weeks."}
    )
    template = ChecklistTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("template_edit", args=[template.pk])
    assert (template.name, template.created_by) == ("SMB onboarding", world.csm)
    entry = Activity.objects.get(verb="created a template")
    assert entry.internal and entry.account is None and entry.actor == world.csm
    page = csm.get(response["Location"])
    assert b"This template has no phases yet" in page.content


def test_a_template_without_a_name_is_refused(world: World, csm: Client) -> None:
    before = onboarding_state()
    response = csm.post(reverse("template_create"), {"name": "  ", "description": "Kept"})
    assert response.status_code == 422
    assert b"Give the template a name." in response.content
    assert b"Kept" in response.content  # what was typed is not lost
    assert onboarding_state() == before


def test_renaming_a_template_is_logged_with_before_and_after(world: World, csm: Client) -> None:
    template = make_template(world)
    response = csm.post(
        reverse("template_edit", args=[template.pk]), {"name": "Renamed", "description": "New"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.description) == ("Renamed", "New")
    entry = Activity.objects.get(verb="edited a template")
    assert entry.before == {"name": "Mid-market onboarding", "description": ""}
    assert entry.after == {"name": "Renamed", "description": "New"}


def test_a_bad_rename_keeps_the_saved_name(world: World, csm: Client) -> None:
    template = make_template(world)
    before = onboarding_state()
    response = csm.post(reverse("template_edit", args=[template.pk]), {"name": ""})
    assert response.status_code == 422
    assert b"Give the template a name." in response.content
    assert b"<h1>Mid-market onboarding" in response.content
    assert onboarding_state() == before


def test_the_edit_page_shows_phases_in_order_with_their_tasks(world: World, csm: Client) -> None:
    template = make_template(world)
    task = TemplateTask.objects.get(title="Invite your team")
    task.internal, task.owner_side, task.default_role = True, "vendor", "csm"
    task.is_value_milestone, task.required = True, False
    task.save()
    content = csm.get(reverse("template_edit", args=[template.pk])).content.decode()
    assert content.index("Kickoff call") < content.index("Invite your team")
    assert content.index("Invite your team") < content.index("First report shared")
    for text in ["Day 3", "The CSM", "value milestone", "internal", "optional", "Vendor"]:
        assert text in content
    assert "Move Kickoff up" in content and "Move Go-live down" in content
    assert "Move Invite your team up" in content


# Phases and tasks -----------------------------------------------------------------------------


def test_phases_and_tasks_are_added_at_the_end(world: World, csm: Client) -> None:
    template = make_template(world)
    response = csm.post(reverse("phase_add", args=[template.pk]), {"name": "Hypercare"})
    assert response.status_code == 302
    hypercare = template.phases.get(name="Hypercare")
    assert [p.name for p in template.phases.all()] == ["Kickoff", "Go-live", "Hypercare"]
    response = csm.post(reverse("template_task_add", args=[template.pk, hypercare.pk]), VALID_TASK)
    assert response.status_code == 302
    task = hypercare.tasks.get()
    assert response["Location"].endswith(f"#task-{task.pk}")
    assert (task.owner_side, task.default_role, task.due_offset_days) == ("customer", "champion", 7)
    assert task.required and not task.internal and not task.is_value_milestone
    assert task.resource_links == (
        "Inviting users https://docs.example.com/admin/invite\nhttps://docs.example.com/roles"
    )
    assert task.links[0] == ("Inviting users", "https://docs.example.com/admin/invite")
    entry = Activity.objects.filter(verb="added a template task").first()  # the newest
    assert entry is not None and entry.internal and entry.account is None
    assert entry.after is not None
    assert entry.after["template"] == template.name and entry.after["due_offset_days"] == 7


def test_the_add_task_page_renders_an_empty_form(world: World, csm: Client) -> None:
    template = make_template(world)
    phase = template.phases.all()[0]
    response = csm.get(reverse("template_task_add", args=[template.pk, phase.pk]))
    assert response.status_code == 200
    assert b"Add a task to Kickoff" in response.content


@pytest.mark.parametrize(
    "change,message",
    [
        ({"title": " "}, "Give the task a title."),
        ({"due_offset_days": "-1"}, "Choose a day from 0 (the kickoff) to 365."),
        ({"due_offset_days": "366"}, "Choose a day from 0 (the kickoff) to 365."),
        ({"due_offset_days": "soon"}, "Give a whole number of days from 0 to 365."),
        ({"owner_side": "partner"}, "Choose the customer or the vendor."),
        ({"default_role": "boss"}, "Choose a role from the list."),
        ({"default_role": "csm"}, "A customer task goes to someone of the account"),
        ({"owner_side": "vendor"}, "A vendor task goes to the CSM"),
        ({"internal": "on"}, "only a vendor task can be internal"),
        ({"resource_links": "Guide ftp://files.example.com/guide"}, "Line 1: “ftp://files"),
        ({"resource_links": "https://ok.example.com\njavascript:alert(1)"}, "Line 2:"),
        ({"resource_links": "Just a title"}, "is not a web address"),
    ],
)
def test_bad_task_input_is_a_422_that_keeps_what_was_typed(
    world: World, csm: Client, change: dict[str, str], message: str
) -> None:
    template = make_template(world)
    phase = template.phases.get(name="Go-live")
    data = VALID_TASK | change
    before = onboarding_state()
    response = csm.post(reverse("template_task_add", args=[template.pk, phase.pk]), data)
    assert response.status_code == 422
    content = response.content.decode()
    assert message in content
    assert "Invite **everyone** who will use it." in content
    assert onboarding_state() == before


def test_editing_a_task_changes_it_and_logs_both_versions(world: World, csm: Client) -> None:
    template = make_template(world)
    task = TemplateTask.objects.get(title="Invite your team")
    url = reverse("template_task_edit", args=[template.pk, task.pk])
    assert csm.get(url).status_code == 200
    data = VALID_TASK | {"title": "Invite the whole team", "phase": task.phase_id}
    response = csm.post(url, data)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Invite the whole team" and task.due_offset_days == 7
    entry = Activity.objects.get(verb="edited a template task")
    assert entry.before is not None and entry.after is not None
    assert entry.before["title"] == "Invite your team"
    assert entry.after["title"] == "Invite the whole team"


def test_a_task_moved_to_another_phase_goes_to_its_end(world: World, csm: Client) -> None:
    template = make_template(world)
    task = TemplateTask.objects.get(title="Kickoff call")
    go_live = template.phases.get(name="Go-live")
    data = VALID_TASK | {"title": "Kickoff call", "phase": go_live.pk}
    csm.post(reverse("template_task_edit", args=[template.pk, task.pk]), data)
    assert [t.title for t in go_live.tasks.all()] == ["First report shared", "Kickoff call"]


def test_a_task_cannot_move_into_another_templates_phase(world: World, csm: Client) -> None:
    template, other = make_template(world), make_template(world, "Other")
    task = TemplateTask.objects.get(phase__template=template, title="Kickoff call")
    foreign_phase = other.phases.all()[0]
    data = VALID_TASK | {"phase": foreign_phase.pk}
    before = onboarding_state()
    response = csm.post(reverse("template_task_edit", args=[template.pk, task.pk]), data)
    assert response.status_code == 422
    assert b"Choose a phase of this template." in response.content
    assert onboarding_state() == before


def test_a_bad_edit_leaves_the_task_as_saved(world: World, csm: Client) -> None:
    template = make_template(world)
    task = TemplateTask.objects.get(title="Invite your team")
    data = VALID_TASK | {"title": "", "phase": task.phase_id}
    before = onboarding_state()
    response = csm.post(reverse("template_task_edit", args=[template.pk, task.pk]), data)
    assert response.status_code == 422
    assert "Edit “Invite your team”" in response.content.decode()
    assert onboarding_state() == before


def test_the_task_page_renders_markdown_sanitised(world: World, csm: Client) -> None:
    template = make_template(world)
    task = TemplateTask.objects.get(title="Invite your team")
    task.description = "**Bold** <script>alert(1)</script> [docs](javascript:alert(1))"
    task.save()
    content = csm.get(reverse("template_task_edit", args=[template.pk, task.pk])).content.decode()
    assert "<strong>Bold</strong>" in content
    assert "<script>alert(1)" not in content and 'href="javascript' not in content


def test_phases_are_renamed_and_deleted_with_their_tasks(world: World, csm: Client) -> None:
    template = make_template(world)
    kickoff = template.phases.get(name="Kickoff")
    response = csm.post(reverse("phase_edit", args=[template.pk, kickoff.pk]), {"name": "Start"})
    assert response.status_code == 302
    kickoff.refresh_from_db()
    assert kickoff.name == "Start"
    before = onboarding_state()
    response = csm.post(reverse("phase_edit", args=[template.pk, kickoff.pk]), {"name": ""})
    assert response.status_code == 422
    assert b"Give the phase a name." in response.content
    assert onboarding_state() == before
    response = csm.post(reverse("phase_delete", args=[template.pk, kickoff.pk]))
    assert response.status_code == 302
    assert [p.name for p in template.phases.all()] == ["Go-live"]
    assert not TemplateTask.objects.filter(title="Kickoff call").exists()
    deleted = Activity.objects.get(verb="deleted a phase").before
    assert deleted is not None and deleted["tasks"] == ["Kickoff call", "Invite your team"]


def test_a_phase_needs_a_name(world: World, csm: Client) -> None:
    template = make_template(world)
    before = onboarding_state()
    response = csm.post(reverse("phase_add", args=[template.pk]), {"name": "   "})
    assert response.status_code == 422
    assert b"Give the phase a name." in response.content
    assert onboarding_state() == before


def test_deleting_a_task(world: World, csm: Client) -> None:
    template = make_template(world)
    task = TemplateTask.objects.get(title="Kickoff call")
    response = csm.post(reverse("template_task_delete", args=[template.pk, task.pk]))
    assert response.status_code == 302
    assert not TemplateTask.objects.filter(pk=task.pk).exists()
    deleted = Activity.objects.get(verb="deleted a template task").before
    assert deleted is not None and deleted["title"] == "Kickoff call"


# Reordering -------------------------------------------------------------------------------------


def test_phases_move_up_and_down(world: World, csm: Client) -> None:
    template = make_template(world)
    kickoff = template.phases.get(name="Kickoff")
    url = reverse("phase_move", args=[template.pk, kickoff.pk])
    response = csm.post(url, {"direction": "down"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#phase-{kickoff.pk}")
    assert [p.name for p in template.phases.all()] == ["Go-live", "Kickoff"]
    csm.post(url, {"direction": "up"})
    assert [p.name for p in template.phases.all()] == ["Kickoff", "Go-live"]


def test_moving_the_first_item_up_changes_nothing(world: World, csm: Client) -> None:
    template = make_template(world)
    kickoff = template.phases.get(name="Kickoff")
    first_task = kickoff.tasks.all()[0]
    before = shape(template)
    csm.post(reverse("phase_move", args=[template.pk, kickoff.pk]), {"direction": "up"})
    csm.post(reverse("template_task_move", args=[template.pk, first_task.pk]), {"direction": "up"})
    last_task = kickoff.tasks.reverse()[0]
    csm.post(reverse("template_task_move", args=[template.pk, last_task.pk]), {"direction": "down"})
    assert shape(template) == before


def test_tasks_move_within_their_phase(world: World, csm: Client) -> None:
    template = make_template(world)
    task = TemplateTask.objects.get(title="Invite your team")
    response = csm.post(
        reverse("template_task_move", args=[template.pk, task.pk]), {"direction": "up"}
    )
    assert response.status_code == 302
    assert shape(template)[0] == ("Kickoff", [("Invite your team", 3), ("Kickoff call", 0)])
    positions = list(template.phases.all()[0].tasks.values_list("position", flat=True))
    assert positions == [0, 1]


def test_a_move_from_htmx_answers_the_phases_in_place(world: World, csm: Client) -> None:
    template = make_template(world)
    task = TemplateTask.objects.get(title="Invite your team")
    response = csm.post(
        reverse("template_task_move", args=[template.pk, task.pk]),
        {"direction": "up"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="phases"')
    assert "“Invite your team” moved up." in content and "<html" not in content


def test_a_move_needs_a_direction(world: World, csm: Client) -> None:
    template = make_template(world)
    kickoff = template.phases.get(name="Kickoff")
    task = kickoff.tasks.all()[0]
    before = onboarding_state()
    response = csm.post(
        reverse("phase_move", args=[template.pk, kickoff.pk]), {"direction": "left"}
    )
    assert response.status_code == 422
    assert b"Move a phase up or down." in response.content
    response = csm.post(
        reverse("template_task_move", args=[template.pk, task.pk]),
        {"direction": "left"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#notice"
    assert "Move a task up or down." in response.content.decode()
    assert onboarding_state() == before


# Copying, archiving and checklists already started ------------------------------------------------


def test_a_copy_has_the_same_phases_and_tasks_and_is_independent(world: World, csm: Client) -> None:
    original = make_template(world)
    response = csm.post(reverse("template_copy", args=[original.pk]))
    copy = ChecklistTemplate.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("template_edit", args=[copy.pk])
    assert copy.name == "Mid-market onboarding (copy)"
    assert shape(copy) == shape(original)
    before = shape(original)
    copied_task = TemplateTask.objects.get(phase__template=copy, title="Kickoff call")
    copied_phase = copy.phases.get(name="Go-live")
    csm.post(
        reverse("template_task_edit", args=[copy.pk, copied_task.pk]),
        VALID_TASK | {"title": "Changed in the copy", "phase": copied_task.phase_id},
    )
    csm.post(reverse("phase_delete", args=[copy.pk, copied_phase.pk]))
    csm.post(reverse("phase_add", args=[copy.pk]), {"name": "Extra"})
    assert shape(original) == before
    assert shape(copy) != before


def sections(response: Any) -> list[str]:
    """The list page's active and archived sections."""
    page = response.content.decode().split('id="active-title"', 1)[1]
    return page.split('id="archived-title"', 1)


def test_archived_templates_are_listed_apart_and_can_be_restored(world: World, csm: Client) -> None:
    kept, retired = make_template(world, "Kept"), make_template(world, "Retired")
    response = csm.post(reverse("template_archive", args=[retired.pk]))
    assert response.status_code == 302
    retired.refresh_from_db()
    assert retired.archived_at is not None
    active, archived = sections(csm.get(reverse("template_list")))
    assert kept.name in active and retired.name not in active
    assert retired.name in archived and "Restore" in archived
    assert list(ChecklistTemplate.objects.active()) == [kept]
    csm.post(reverse("template_restore", args=[retired.pk]))
    retired.refresh_from_db()
    assert retired.archived_at is None
    active, archived = sections(csm.get(reverse("template_list")))
    assert retired.name in active and "Nothing archived" in archived


def test_the_list_counts_phases_tasks_and_checklists(world: World, csm: Client) -> None:
    template = make_template(world)
    services.start_onboarding(
        world.account,
        template=template,
        kickoff_date=datetime.date(2026, 1, 5),
        acting_user=world.csm,
    )
    response = csm.get(reverse("template_list"))
    row = response.content.decode().split(template.name, 1)[1].split("</tr>", 1)[0]
    assert [cell.split("<")[0] for cell in row.split('class="num">')[1:]] == [
        "2",
        "3",
        "1",
    ]


def test_the_list_says_how_to_start_when_there_are_no_templates(world: World) -> None:
    content = client_for(world.admin).get(reverse("template_list")).content.decode()
    assert "No templates yet." in content and "Nothing archived." in content


def test_editing_a_template_never_changes_a_started_checklist(world: World, csm: Client) -> None:
    template = make_template(world)
    checklist = services.start_onboarding(
        world.account,
        template=template,
        kickoff_date=datetime.date(2026, 1, 5),
        acting_user=world.csm,
    )

    def checklist_shape() -> list[tuple[str, str, Any]]:
        return [
            (t.phase.name, t.title, t.due_date)
            for t in Task.objects.filter(checklist=checklist).select_related("phase")
        ]

    before = checklist_shape()
    assert len(before) == 3
    kickoff = template.phases.get(name="Kickoff")
    task = kickoff.tasks.all()[0]
    csm.post(
        reverse("template_task_edit", args=[template.pk, task.pk]),
        VALID_TASK | {"title": "Renamed in the template", "phase": kickoff.pk},
    )
    csm.post(reverse("phase_edit", args=[template.pk, kickoff.pk]), {"name": "Renamed phase"})
    csm.post(reverse("template_task_add", args=[template.pk, kickoff.pk]), VALID_TASK)
    csm.post(reverse("phase_delete", args=[template.pk, template.phases.reverse()[0].pk]))
    csm.post(reverse("template_archive", args=[template.pk]))
    assert checklist_shape() == before
    checklist.refresh_from_db()
    assert checklist.template == template and checklist.template_name == "Mid-market onboarding"


# Who may, and ids from elsewhere --------------------------------------------------------------------


def all_urls(template: ChecklistTemplate) -> list[tuple[str, str]]:
    """(method, url) for every template-console URL, on ``template``."""
    phase = template.phases.all()[0]
    task = phase.tasks.all()[0]
    t, p, k = template.pk, phase.pk, task.pk
    return [
        ("get", reverse("template_list")),
        ("post", reverse("template_create")),
        ("get", reverse("template_edit", args=[t])),
        ("post", reverse("template_edit", args=[t])),
        ("post", reverse("template_copy", args=[t])),
        ("post", reverse("template_archive", args=[t])),
        ("post", reverse("template_restore", args=[t])),
        ("post", reverse("phase_add", args=[t])),
        ("post", reverse("phase_edit", args=[t, p])),
        ("post", reverse("phase_move", args=[t, p])),
        ("post", reverse("phase_delete", args=[t, p])),
        ("get", reverse("template_task_add", args=[t, p])),
        ("post", reverse("template_task_add", args=[t, p])),
        ("get", reverse("template_task_edit", args=[t, k])),
        ("post", reverse("template_task_edit", args=[t, k])),
        ("post", reverse("template_task_move", args=[t, k])),
        ("post", reverse("template_task_delete", args=[t, k])),
    ]


POST_DATA = VALID_TASK | {"name": "Changed by someone", "direction": "down"}


@pytest.mark.parametrize("persona", ["champion", "executive", "member", "other_champion"])
def test_customers_get_403_on_every_template_url(world: World, persona: str) -> None:
    template = make_template(world)
    before = onboarding_state()
    client = client_for(world.persona(persona))
    for method, url in all_urls(template):
        response = getattr(client, method)(url, POST_DATA if method == "post" else None)
        assert response.status_code == 403, (persona, method, url)
    assert onboarding_state() == before


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    template = make_template(world)
    before = onboarding_state()
    for method, url in all_urls(template):
        response = getattr(Client(), method)(url, POST_DATA if method == "post" else None)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("account_login"))
    assert onboarding_state() == before


@pytest.mark.parametrize("persona", ["csm", "other_csm", "admin"])
def test_every_csm_and_admin_may_edit_every_template(world: World, persona: str) -> None:
    template = make_template(world)
    client = client_for(world.persona(persona))
    assert client.get(reverse("template_list")).status_code == 200
    assert client.get(reverse("template_edit", args=[template.pk])).status_code == 200
    response = client.post(reverse("phase_add", args=[template.pk]), {"name": "Hypercare"})
    assert response.status_code == 302


def test_post_only_urls_refuse_get(world: World, csm: Client) -> None:
    template = make_template(world)
    gets = {url for method, url in all_urls(template) if method == "get"}
    for method, url in all_urls(template):
        if method == "post" and url not in gets:
            assert csm.get(url).status_code == 405, url


def test_ids_from_another_template_are_404(world: World, csm: Client) -> None:
    template, other = make_template(world), make_template(world, "Other")
    foreign_phase = other.phases.all()[0]
    foreign_task = foreign_phase.tasks.all()[0]
    before = onboarding_state()
    t, p, k = template.pk, foreign_phase.pk, foreign_task.pk
    for method, url in [
        ("post", reverse("phase_edit", args=[t, p])),
        ("post", reverse("phase_move", args=[t, p])),
        ("post", reverse("phase_delete", args=[t, p])),
        ("get", reverse("template_task_add", args=[t, p])),
        ("post", reverse("template_task_add", args=[t, p])),
        ("get", reverse("template_task_edit", args=[t, k])),
        ("post", reverse("template_task_edit", args=[t, k])),
        ("post", reverse("template_task_move", args=[t, k])),
        ("post", reverse("template_task_delete", args=[t, k])),
    ]:
        response = getattr(csm, method)(url, POST_DATA if method == "post" else None)
        assert response.status_code == 404, (method, url)
    assert csm.get(reverse("template_edit", args=[999999])).status_code == 404
    assert onboarding_state() == before


# Demo data -----------------------------------------------------------------------------------------


def test_the_demo_template_is_created_once(world: World) -> None:
    first = ensure_demo_template(world.csm)
    second = ensure_demo_template(world.admin)
    assert first == second and ChecklistTemplate.objects.count() == 1
    assert first.name == DEMO_TEMPLATE_NAME
    phases = [p.name for p in first.phases.all()]
    assert phases == ["Kickoff", "Set-up", "Training", "Go-live"]
    tasks = TemplateTask.objects.filter(phase__template=first)
    assert tasks.count() >= 10
    assert tasks.filter(internal=True, owner_side="vendor").exists()
    assert tasks.filter(is_value_milestone=True).count() == 1
    assert tasks.filter(required=False).exists()
    assert all(0 <= t.due_offset_days <= 45 for t in tasks)
    assert all(t.links for t in tasks if t.resource_links)
    assert TemplatePhase.objects.count() == 4
