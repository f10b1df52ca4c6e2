"""An account's onboarding checklist: starting it, working it, the CSM's edits, the portfolio.

Every test runs on DAY with the clock stopped. The figures themselves are proven in
test_onboarding_figures.py, and that every surface prints the same ones in
test_onboarding_figures_agree.py.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Activity, Membership
from onboarding.figures import Progress, checklist_summary, checklist_view
from onboarding.models import Checklist, ChecklistPhase, Task
from onboarding.services import set_task_done, start_onboarding
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory
from tests.onboarding_helpers import DAY, NOW, make_template, onboarding_state, start
from tests.queries import assert_same_queries, page_queries


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def task(title: str) -> Task:
    return Task.objects.get(title=title)


def url(name: str, *args: Any) -> str:
    return reverse(name, args=["acme", *args])


def checklist_html(client: Any) -> str:
    """The checklist page with every phase's first page of tasks, as htmx loads them."""
    page = client.get(url("onboarding")).content.decode()
    for phase in ChecklistPhase.objects.filter(checklist__account__slug="acme"):
        page += client.get(url("onboarding_phase", phase.pk), HTTP_HX_REQUEST="true").text
    return page


def start_data(template_pk: int) -> dict[str, Any]:
    return {"template": template_pk, "kickoff_date": DAY.isoformat()}


class TestStarting:
    def test_due_dates_come_from_offsets_and_assignees_from_roles(self, world: World) -> None:
        kickoff = DAY + timedelta(days=2)
        checklist = start(world, kickoff)
        assert task("Kickoff call").due_date == kickoff
        assert task("Connect your data").due_date == kickoff + timedelta(days=7)
        assert task("Kickoff call").assignee == world.csm
        assert task("Share your goals").assignee == world.champion
        assert task("Connect your data").assignee == world.member
        assert task("Optional training").assignee is None
        assert checklist.template_name == "Standard onboarding"
        assert Activity.objects.filter(verb="started onboarding", account=world.account).exists()

    def test_a_csm_starts_it_from_the_page(self, world: World) -> None:
        template = make_template(world.csm)
        response = client_for(world.csm).post(url("onboarding_start"), start_data(template.pk))
        assert response.status_code == 302
        assert Checklist.objects.get(account=world.account).tasks.count() == 6

    @pytest.mark.parametrize(
        "data", [{"kickoff_date": "not a date"}, {"kickoff_date": ""}, {"template": "999999"}]
    )
    def test_bad_start_input_is_a_422_that_starts_nothing(
        self, world: World, data: dict[str, str]
    ) -> None:
        template = make_template(world.csm)
        before = onboarding_state()
        response = client_for(world.csm).post(
            url("onboarding_start"), {**start_data(template.pk), **data}
        )
        assert response.status_code == 422
        assert onboarding_state() == before

    def test_it_starts_once(self, world: World) -> None:
        start(world)
        template = make_template(world.csm)
        before = onboarding_state()
        response = client_for(world.csm).post(url("onboarding_start"), start_data(template.pk))
        assert response.status_code == 422
        assert b"already started" in response.content
        assert onboarding_state() == before

    def test_an_archived_template_cannot_start_an_onboarding(self, world: World) -> None:
        template = make_template(world.csm)
        template.archived_at = timezone.now()
        template.save()
        before = onboarding_state()
        response = client_for(world.csm).post(url("onboarding_start"), start_data(template.pk))
        assert response.status_code == 422
        assert onboarding_state() == before


class TestTheChecklistPage:
    def test_customers_never_see_internal_tasks(self, world: World) -> None:
        start(world)
        for persona in ["champion", "executive", "member"]:
            page = checklist_html(client_for(world.persona(persona)))
            assert "Share your goals" in page and "Internal handover" not in page
        assert "Internal handover" in checklist_html(client_for(world.csm))
        internal = task("Internal handover")
        assert (
            client_for(world.champion).get(url("onboarding_task", internal.pk)).status_code == 404
        )

    def test_internal_tasks_count_apart_and_both_sides_read_the_same_progress(
        self, world: World
    ) -> None:
        checklist = start(world)
        set_task_done(task("Internal handover"), True, acting_user=world.csm)
        set_task_done(task("Share your goals"), True, acting_user=world.champion)
        customer = checklist_view(checklist, viewer_id=world.champion.pk, with_internal=False)
        vendor = checklist_view(checklist, viewer_id=world.csm.pk, with_internal=True)
        # Shared required tasks: the kickoff call (vendor side), goals, data, first report.
        assert customer.progress == vendor.progress == Progress(1, 4)
        assert vendor.figures.internal == Progress(1, 1)
        page = client_for(world.csm).get(url("onboarding")).content.decode()
        assert "1 of 1 internal task done" in page
        assert "internal task" not in client_for(world.champion).get(url("onboarding")).text

    def test_the_viewers_own_tasks_come_first(self, world: World) -> None:
        start(world)
        page = client_for(world.member).get(url("onboarding")).content.decode()
        mine = page[page.index("Your tasks") :]
        assert "Connect your data" in mine[: mine.index("</section>")]

    def test_overdue_tasks_are_marked(self, world: World) -> None:
        start(world, DAY - timedelta(days=4))  # "Share your goals" was due yesterday
        page = checklist_html(client_for(world.champion))
        marker = f'id="task-{task("Share your goals").pk}"'
        row_start = page.rindex("<li", 0, page.index(marker))
        row = page[row_start:].split("</li>")[0]
        assert "task-overdue" in row and "Overdue" in row

    def test_before_it_starts_customers_are_told_and_only_vendors_may_start_it(
        self, world: World
    ) -> None:
        make_template(world.csm)
        for persona in ["champion", "executive", "member"]:
            page = client_for(world.persona(persona)).get(url("onboarding"))
            assert page.status_code == 200
            assert b"has not started yet" in page.content
            assert reverse("onboarding_start", args=["acme"]).encode() not in page.content
        html = client_for(world.csm).get(url("onboarding")).content.decode()
        assert reverse("onboarding_start", args=["acme"]) in html


class TestTicking:
    def test_a_champion_ticks_a_task_in_place_and_the_progress_moves(self, world: World) -> None:
        start(world)
        goals = task("Share your goals")
        response = client_for(world.champion).post(
            url("onboarding_task_done", goals.pk), {"done": "1"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert body.lstrip().startswith(f'<li class="task task-done" id="task-{goals.pk}"')
        assert 'id="onboarding-overall" class="onboarding-overall" hx-swap-oob="true"' in body
        assert 'aria-valuenow="25"' in body  # 1 of the 4 shared required tasks
        assert f'id="phase-progress-{goals.phase_id}" class="phase-progress" hx-swap-oob' in body
        mine = body[body.index('id="onboarding-mine"') :]
        assert 'hx-swap-oob="true"' in mine[:60]
        assert "Share your goals" not in mine  # done: off "Your tasks"
        goals.refresh_from_db()
        assert goals.completed_by == world.champion and goals.completed_at == NOW
        assert Activity.objects.filter(verb="completed a task", actor=world.champion).exists()

    def test_a_plain_tick_goes_back_to_the_task_on_the_checklist(self, world: World) -> None:
        start(world)
        goals = task("Share your goals")
        response = client_for(world.champion).post(
            url("onboarding_task_done", goals.pk), {"done": "1"}
        )
        assert response.status_code == 302
        assert response["Location"] == f"{url('onboarding')}#task-{goals.pk}"
        assert task("Share your goals").completed_at == NOW

    def test_undo_clears_who_and_when(self, world: World) -> None:
        start(world)
        goals = task("Share your goals")
        client = client_for(world.champion)
        client.post(url("onboarding_task_done", goals.pk), {"done": "1"})
        client.post(url("onboarding_task_done", goals.pk), {"done": "0"})
        goals.refresh_from_db()
        assert goals.completed_at is None and goals.completed_by is None
        assert Activity.objects.filter(verb="reopened a task").count() == 1

    def test_two_people_ticking_at_once_leave_it_done_once(self, world: World) -> None:
        start(world)
        goals = task("Share your goals")
        assert set_task_done(goals, True, acting_user=world.champion) is True
        assert set_task_done(goals, True, acting_user=world.csm) is False
        goals.refresh_from_db()
        assert goals.completed_by == world.champion
        assert Activity.objects.filter(verb="completed a task").count() == 1

    def test_members_tick_only_what_is_assigned_to_them(self, world: World) -> None:
        start(world)
        client = client_for(world.member)
        data = task("Connect your data")
        assert client.post(url("onboarding_task_done", data.pk), {"done": "1"}).status_code == 302
        assert task("Connect your data").completed_by == world.member
        before = onboarding_state()
        response = client.post(
            url("onboarding_task_done", task("Share your goals").pk), {"done": "1"}
        )
        assert response.status_code == 403
        assert onboarding_state() == before

    def test_executives_read(self, world: World) -> None:
        start(world)
        before = onboarding_state()
        response = client_for(world.executive).post(
            url("onboarding_task_done", task("Share your goals").pk), {"done": "1"}
        )
        assert response.status_code == 403
        assert onboarding_state() == before

    def test_a_champion_cannot_tick_the_vendors_tasks(self, world: World) -> None:
        start(world)
        before = onboarding_state()
        response = client_for(world.champion).post(
            url("onboarding_task_done", task("Kickoff call").pk), {"done": "1"}
        )
        assert response.status_code == 403
        assert onboarding_state() == before

    def test_a_task_of_another_account_is_not_found(self, world: World) -> None:
        start(world)
        other = start_onboarding(
            world.other_account,
            template=make_template(world.other_csm),
            kickoff_date=DAY,
            acting_user=world.other_csm,
        )
        foreign = other.tasks.filter(owner_side="customer")[0]
        before = onboarding_state()
        for persona in ["champion", "csm"]:
            response = client_for(world.persona(persona)).post(
                url("onboarding_task_done", foreign.pk), {"done": "1"}
            )
            assert response.status_code == 404
        assert onboarding_state() == before

    def test_a_garbled_tick_is_a_422_that_changes_nothing(self, world: World) -> None:
        start(world)
        before = onboarding_state()
        response = client_for(world.champion).post(
            url("onboarding_task_done", task("Share your goals").pk),
            {"done": "maybe"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 422
        assert response["HX-Retarget"] == "#notice"
        assert "done=1" in response.content.decode()
        assert onboarding_state() == before

    def test_a_refused_tick_from_htmx_is_a_422_notice(self, world: World) -> None:
        start(world)
        before = onboarding_state()
        response = client_for(world.member).post(
            url("onboarding_task_done", task("Share your goals").pk),
            {"done": "1"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 422
        assert response["HX-Retarget"] == "#notice"
        assert "not yours to tick" in response.content.decode()
        assert onboarding_state() == before


class TestCSMEdits:
    def form(self, checklist: Checklist, **overrides: Any) -> dict[str, Any]:
        data = {
            "phase": checklist.phases.all()[0].pk, "title": "Security review", "description": "",
            "owner_side": "customer", "assignee": "", "due_date": (checklist.kickoff_date + timedelta(days=3)).isoformat(),
            "required": "on", "resource_links": "", "client_token": str(uuid.uuid4()),
        }  # fmt: skip
        data.update(overrides)
        return data

    def test_adding_a_task_twice_from_the_same_form_adds_it_once(self, world: World) -> None:
        checklist = start(world)
        data = self.form(checklist)
        client = client_for(world.csm)
        assert client.post(url("onboarding_task_add"), data).status_code == 302
        assert client.post(url("onboarding_task_add"), data).status_code == 302
        assert Task.objects.filter(title="Security review").count() == 1

    @pytest.mark.parametrize(
        "overrides,message",
        [
            ({"title": ""}, b"This field is required"),
            ({"due_date": "2000-01-01"}, b"before the kickoff"),
            ({"owner_side": "martian"}, b"Select a valid choice"),
            ({"resource_links": "javascript:alert(1)"}, b"does not end with an http(s) address"),
        ],
    )
    def test_bad_task_input_is_a_422_and_nothing_is_saved(
        self, world: World, overrides: dict[str, str], message: bytes
    ) -> None:
        checklist = start(world)
        before = onboarding_state()
        response = client_for(world.csm).post(
            url("onboarding_task_add"), self.form(checklist, **overrides)
        )
        assert response.status_code == 422
        assert message in response.content
        assert onboarding_state() == before

    def test_an_assignee_from_another_account_is_refused(self, world: World) -> None:
        checklist = start(world)
        before = onboarding_state()
        response = client_for(world.csm).post(
            url("onboarding_task_add"), self.form(checklist, assignee=world.other_champion.pk)
        )
        assert response.status_code == 422
        assert onboarding_state() == before

    def test_a_phase_of_another_checklist_is_refused(self, world: World) -> None:
        checklist = start(world)
        other = start_onboarding(
            world.other_account,
            template=make_template(world.other_csm),
            kickoff_date=DAY,
            acting_user=world.other_csm,
        )
        before = onboarding_state()
        response = client_for(world.csm).post(
            url("onboarding_task_add"),
            self.form(checklist, phase=ChecklistPhase.objects.filter(checklist=other)[0].pk),
        )
        assert response.status_code == 422
        assert onboarding_state() == before

    def test_a_stale_edit_is_refused_and_shows_what_changed(self, world: World) -> None:
        checklist = start(world)
        goals = task("Share your goals")
        stale_version = goals.version
        first = client_for(world.admin).post(
            url("onboarding_task_edit", goals.pk),
            {
                **self.form(checklist, title="Share your three goals"),
                "phase": goals.phase_id,
                "version": stale_version,
            },
        )
        assert first.status_code == 302, first.content.decode()[-3000:]
        before = onboarding_state()
        response = client_for(world.csm).post(
            url("onboarding_task_edit", goals.pk),
            {
                **self.form(checklist, title="Share goals by Friday"),
                "phase": goals.phase_id,
                "version": stale_version,
            },
        )
        assert response.status_code == 409
        assert b"Share your three goals" in response.content  # as the other person left it
        assert b"Share goals by Friday" in response.content  # what this person typed, kept
        assert onboarding_state() == before

    def test_edits_are_logged_with_before_and_after(self, world: World) -> None:
        checklist = start(world)
        goals = task("Share your goals")
        client_for(world.csm).post(
            url("onboarding_task_edit", goals.pk),
            {
                **self.form(checklist, title="Share goals"),
                "phase": goals.phase_id,
                "version": goals.version,
            },
        )
        entry = Activity.objects.get(verb="edited a task")
        assert entry.before is not None and entry.after is not None
        assert (entry.before["title"], entry.after["title"]) == ("Share your goals", "Share goals")
        assert task("Share goals").version == goals.version + 1

    def test_remove_and_reorder(self, world: World) -> None:
        start(world)
        client = client_for(world.csm)
        first, second = task("Kickoff call"), task("Share your goals")
        response = client.post(url("onboarding_task_move", second.pk), {"direction": "up"})
        assert response.status_code == 302
        first.refresh_from_db()
        second.refresh_from_db()
        assert second.position < first.position
        assert Activity.objects.filter(
            verb="moved a task up", target_label="Share your goals"
        ).exists()
        before = onboarding_state()
        response = client.post(url("onboarding_task_move", second.pk), {"direction": "sideways"})
        assert response.status_code == 422
        assert b"Move a task up or down" in response.content
        assert onboarding_state() == before
        assert client.post(url("onboarding_task_delete", first.pk)).status_code == 302
        assert not Task.objects.filter(pk=first.pk).exists()
        assert Activity.objects.filter(verb="removed a task").exists()

    def test_the_reminder_ladder_must_climb(self, world: World) -> None:
        start(world)
        client = client_for(world.csm)
        before = onboarding_state()
        bad = {"remind_assignee_after": 5, "remind_champion_after": 2, "remind_csm_after": 9}
        assert client.post(url("onboarding_ladder"), bad).status_code == 422
        assert onboarding_state() == before
        good = {"remind_assignee_after": 2, "remind_champion_after": 5, "remind_csm_after": 9}
        assert client.post(url("onboarding_ladder"), good).status_code == 302
        checklist = Checklist.objects.get()
        assert (
            checklist.remind_assignee_after,
            checklist.remind_champion_after,
            checklist.remind_csm_after,
        ) == (2, 5, 9)


class TestPortfolio:
    def test_at_risk_first_with_the_figures(self, world: World) -> None:
        start(world, DAY - timedelta(days=10))  # acme: overdue tasks
        calm = AccountFactory.create(name="Calm Co", slug="calm", owner=world.csm)
        start_onboarding(
            calm,
            template=make_template(world.csm),
            kickoff_date=DAY + timedelta(days=3),
            acting_user=world.csm,
        )
        response = client_for(world.csm).get(reverse("onboarding_portfolio"))
        rows = response.context["rows"]
        assert [r["checklist"].account.name for r in rows] == ["Acme", "Calm Co"]
        assert [r["figures"].status for r in rows] == ["at_risk", "not_started"]
        # Counted tasks past due: the kickoff call, the goals and the data (the internal
        # handover is late too, but internal tasks never count).
        assert rows[0]["figures"].overdue == 3
        assert rows[0]["figures"].projected_go_live == DAY + timedelta(days=4)  # the report
        assert b"Bluth" not in response.content

    def test_last_customer_activity_and_median_time_to_value(self, world: World) -> None:
        start(world, DAY - timedelta(days=10))
        set_task_done(task("First report shared"), True, acting_user=world.champion)
        b = AccountFactory.create(name="Beta", slug="beta", owner=world.csm)
        MembershipFactory.create(account=b, role="champion")
        checklist = start_onboarding(
            b,
            template=make_template(world.csm),
            kickoff_date=DAY - timedelta(days=4),
            acting_user=world.csm,
        )
        set_task_done(checklist.tasks.get(is_value_milestone=True), True, acting_user=world.csm)
        response = client_for(world.csm).get(reverse("onboarding_portfolio"))
        assert response.context["median_ttv"] == 7  # median of 10 and 4
        quiet = {r["checklist"].account.name: r["quiet_days"] for r in response.context["rows"]}
        assert quiet == {"Acme": 0, "Beta": None}  # Beta's customers have done nothing

    def test_filters_and_sorting(self, world: World) -> None:
        start(world, DAY - timedelta(days=10))
        client = client_for(world.csm)

        def rows(**params: str) -> int:
            response = client.get(reverse("onboarding_portfolio"), params)
            assert response.status_code == 200, params
            return len(response.context["rows"])

        assert rows(status="completed") == 0
        assert rows(status="at_risk") == 1
        assert rows(status="") == 1  # "Any status"
        assert rows(q="zzz") == 0
        assert rows(q="acm") == 1
        for sort in ["account", "-account", "done", "-done", "quiet", "golive", "overdue", ""]:
            assert rows(sort=sort) == 1

    def test_a_bad_filter_from_htmx_is_a_422_notice(self, world: World) -> None:
        start(world)
        response = client_for(world.csm).get(
            reverse("onboarding_portfolio"), {"sort": "nonsense"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 422
        assert response["HX-Retarget"] == "#notice"
        assert "Sort by one of the columns" in response.content.decode()

    def test_htmx_gets_the_table_alone_and_the_pages_keep_the_filters(
        self, world: World, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr("onboarding.views.portfolio.PER_PAGE", 1)
        template = make_template(world.csm)
        for name in ["Acme 2", "Acme 3"]:
            account = AccountFactory.create(name=name, owner=world.csm)
            start_onboarding(account, template=template, kickoff_date=DAY, acting_user=world.csm)
        start(world)
        client = client_for(world.csm)
        fragment = client.get(
            reverse("onboarding_portfolio"),
            {"q": "acme", "sort": "account"},
            HTTP_HX_REQUEST="true",
        ).content.decode()
        assert fragment.lstrip().startswith('<div id="onboarding-table">')
        assert "Page 1 of 3" in fragment
        assert 'href="?q=acme&amp;sort=account&amp;page=2"' in fragment
        page = client.get(reverse("onboarding_portfolio"), {"q": "acme", "page": "3"})
        assert [r["checklist"].account.name for r in page.context["rows"]] == ["Acme 3"]


def bulk_tasks(checklist: Checklist, n: int) -> None:
    phase = checklist.phases.first()
    Task.objects.bulk_create(
        Task(
            checklist=checklist,
            phase=phase,
            title=f"Task {i}",
            position=100 + i,
            due_date=checklist.kickoff_date,
            client_token=uuid.uuid4(),
        )
        for i in range(n)
    )


def test_the_checklist_page_costs_the_same_queries_for_10_and_500_tasks(world: World) -> None:
    checklist = start(world)
    bulk_tasks(checklist, 4)  # 10 tasks
    counts = {}
    for persona in ["champion", "csm"]:
        counts[persona] = page_queries(client_for(world.persona(persona)), url("onboarding"))
        assert counts[persona] <= 12, counts
    bulk_tasks(checklist, 490)
    for persona in ["champion", "csm"]:
        after = page_queries(client_for(world.persona(persona)), url("onboarding"))
        assert_same_queries(counts[persona], after, f"the checklist page as the {persona}")
    # The page lists no task itself: each phase's tasks load on their own, 50 at a time.
    page = client_for(world.champion).get(url("onboarding")).text
    assert "Task 400" not in page and "Task 1<" not in page
    assert "Showing the first 10 of" not in page or 'class="count"' in page


def test_a_phase_lists_its_tasks_a_page_at_a_time(world: World) -> None:
    checklist = start(world)
    phase = checklist.phases.first()
    assert phase is not None
    bulk_tasks(checklist, 10)
    client = client_for(world.champion)
    path = url("onboarding_phase", phase.pk)
    small = page_queries(client, path)
    bulk_tasks(checklist, 300)
    assert_same_queries(small, page_queries(client, path), "a phase's tasks")
    first = client.get(path, HTTP_HX_REQUEST="true").text
    assert first.lstrip().startswith(f'<div id="phase-tasks-{phase.pk}"')
    shown = phase.tasks.filter(internal=False).count()
    assert first.count('<li class="task') == 50 and f"1–50 of {shown}" in first
    assert f'hx-get="{path}?page=2"' in first
    second = client.get(path, {"page": "2"}, HTTP_HX_REQUEST="true").text
    assert f"51–100 of {shown}" in second
    titles = [t.title for t in phase.tasks.filter(internal=False).order_by("position", "pk")]
    assert f">{titles[50]}<" in second and f">{titles[49]}<" not in second
    # Past the end: the last page; junk: a 404, never a 500.
    assert client.get(path, {"page": "999"}).status_code == 200
    for junk in ["0", "-1", "abc", "1e3", ""]:
        assert client.get(path, {"page": junk}).status_code == 404, junk
    # Without htmx the checklist page itself, with this phase listed.
    whole = client.get(path).text
    assert "<html" in whole and "Your tasks" in whole and f">{titles[0]}<" in whole


def test_the_page_summary_reads_the_same_figures_as_the_loaded_tasks(world: World) -> None:
    checklist = start(world, DAY - timedelta(days=4))
    set_task_done(task("Internal handover"), True, acting_user=world.csm)
    set_task_done(task("Share your goals"), True, acting_user=world.champion)
    bulk_tasks(checklist, 7)
    for viewer, internal in [(world.champion, False), (world.csm, True)]:
        loaded = checklist_view(checklist, viewer_id=viewer.pk, with_internal=internal)
        summed = checklist_summary(checklist, viewer_id=viewer.pk, with_internal=internal)
        assert summed.figures == loaded.figures
        assert [(p.phase.pk, p.progress) for p in summed.phases] == [
            (p.phase.pk, p.progress) for p in loaded.phases
        ]
        assert summed.mine_count == len(loaded.mine)
        assert summed.mine == loaded.mine[: len(summed.mine)]
        assert summed.shown == len(loaded.tasks)


def test_a_phase_of_another_account_is_404(world: World) -> None:
    checklist = start(world)
    phase = checklist.phases.first()
    assert phase is not None
    other = reverse("onboarding_phase", args=[world.other_account.slug, phase.pk])
    assert client_for(world.other_champion).get(other).status_code == 404


def test_the_csm_forms_load_on_their_own(world: World) -> None:
    start(world)
    client = client_for(world.csm)
    page = client.get(url("onboarding")).text
    assert reverse("onboarding_forms", args=["acme"]) in page
    assert 'name="title"' not in page  # the add-task form is not in the page itself
    fragment = client.get(url("onboarding_forms"), HTTP_HX_REQUEST="true").text
    assert fragment.lstrip().startswith('<div id="manage-forms"')
    assert 'name="title"' in fragment and reverse("onboarding_ladder", args=["acme"]) in fragment
    assert client_for(world.champion).get(url("onboarding_forms")).status_code == 403


def test_the_onboarding_portfolio_costs_the_same_queries_for_3_and_300_accounts(
    world: World,
) -> None:
    template = make_template(world.csm)
    client = client_for(world.csm)

    def add_accounts(n: int) -> None:
        accounts = Account.objects.bulk_create(
            Account(
                name=f"Bulk {i} {uuid.uuid4().hex[:6]}",
                slug=f"bulk-{uuid.uuid4().hex[:10]}",
                owner=world.csm,
            )
            for i in range(n)
        )
        for account in accounts:
            start_onboarding(account, template=template, kickoff_date=DAY, acting_user=world.csm)
        Membership.objects.bulk_create(
            Membership(user=world.champion, account=a, role="member") for a in accounts[:5]
        )

    add_accounts(3)
    few = page_queries(client, reverse("onboarding_portfolio"))
    add_accounts(297)
    assert_same_queries(few, page_queries(client, reverse("onboarding_portfolio")), "portfolio")


def test_task_descriptions_are_markdown_rendered_and_sanitised(world: World) -> None:
    start(world)
    goals = task("Share your goals")
    goals.description = (
        "**Why** it matters\n\n- one\n- two\n\n[guide](https://docs.example.com/x) "
        "[bad](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)>"
    )
    goals.resource_links = "Guide https://docs.example.com/guide\nftp://nope.example.com/file"
    goals.save()
    page = client_for(world.champion).get(url("onboarding_task", goals.pk)).content.decode()
    assert "<strong>Why</strong>" in page and "<li>one</li>" in page
    assert 'href="https://docs.example.com/x"' in page
    # What is not allowed stays as inert, escaped text.
    assert (
        'href="javascript:' not in page
        and "<script>alert(2)" not in page
        and "<img src=x" not in page
    )
    assert 'href="https://docs.example.com/guide"' in page and "ftp://" not in page
