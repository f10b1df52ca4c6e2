"""An account's onboarding checklist: starting it, working it, its figures, the portfolio."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Activity, Membership
from onboarding.figures import Status, checklist_view, projected_go_live, status
from onboarding.models import Checklist, ChecklistPhase, Task
from onboarding.services import set_task_done, start_onboarding
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory
from tests.onboarding_helpers import make_template, start

TODAY = timezone.localdate


def task(title: str) -> Task:
    return Task.objects.get(title=title)


def url(name: str, *args: Any) -> str:
    return reverse(name, args=["acme", *args])


class TestStarting:
    def test_due_dates_come_from_offsets_and_assignees_from_roles(self, world: World) -> None:
        kickoff = TODAY() + timedelta(days=2)
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
        response = client_for(world.csm).post(
            url("onboarding_start"), {"template": template.pk, "kickoff_date": TODAY().isoformat()}
        )
        assert response.status_code == 302
        assert Checklist.objects.get(account=world.account).tasks.count() == 6

    @pytest.mark.parametrize(
        "data", [{"kickoff_date": "not a date"}, {"kickoff_date": ""}, {"template": "999999"}]
    )
    def test_bad_start_input_is_a_422(self, world: World, data: dict[str, str]) -> None:
        template = make_template(world.csm)
        payload = {"template": template.pk, "kickoff_date": TODAY().isoformat(), **data}
        assert client_for(world.csm).post(url("onboarding_start"), payload).status_code == 422
        assert not Checklist.objects.exists()

    def test_it_starts_once(self, world: World) -> None:
        start(world)
        template = make_template(world.csm)
        response = client_for(world.csm).post(
            url("onboarding_start"), {"template": template.pk, "kickoff_date": TODAY().isoformat()}
        )
        assert response.status_code == 422
        assert b"already started" in response.content
        assert Task.objects.count() == 6

    def test_an_archived_template_cannot_start_an_onboarding(self, world: World) -> None:
        template = make_template(world.csm)
        template.archived_at = timezone.now()
        template.save()
        response = client_for(world.csm).post(
            url("onboarding_start"), {"template": template.pk, "kickoff_date": TODAY().isoformat()}
        )
        assert response.status_code == 422


class TestTheChecklistPage:
    def test_customers_never_see_internal_tasks(self, world: World) -> None:
        start(world)
        for persona in ["champion", "executive", "member"]:
            page = client_for(world.persona(persona)).get(url("onboarding")).content.decode()
            assert "Share your goals" in page and "Internal handover" not in page
        assert "Internal handover" in client_for(world.csm).get(url("onboarding")).content.decode()
        internal = task("Internal handover")
        assert (
            client_for(world.champion).get(url("onboarding_task", internal.pk)).status_code == 404
        )

    def test_internal_tasks_do_not_count_in_the_customers_progress(self, world: World) -> None:
        checklist = start(world)
        set_task_done(task("Internal handover"), True, acting_user=world.csm)
        customer = checklist_view(checklist, viewer_id=world.champion.pk, customer=True)
        vendor = checklist_view(checklist, viewer_id=world.csm.pk, customer=False)
        # Shared required tasks: the kickoff call (vendor side), goals, data, first report.
        assert (customer.progress.done, customer.progress.total) == (0, 4)
        assert (vendor.progress.done, vendor.progress.total) == (1, 5)

    def test_the_viewers_own_tasks_come_first(self, world: World) -> None:
        start(world)
        page = client_for(world.member).get(url("onboarding")).content.decode()
        mine = page[page.index("Your tasks") :]
        assert "Connect your data" in mine[: mine.index("</section>")]

    def test_overdue_tasks_are_marked(self, world: World) -> None:
        start(world, TODAY() - timedelta(days=4))  # "Share your goals" was due yesterday
        page = client_for(world.champion).get(url("onboarding")).content.decode()
        row = page[page.index(f'id="task-{task("Share your goals").pk}"') :].split("</li>")[0]
        assert (
            "task-overdue"
            in page[page.index(f'id="task-{task("Share your goals").pk}"') - 40 :][:80]
        )
        assert "Overdue" in row

    def test_nobody_has_started_it_yet(self, world: World) -> None:
        page = client_for(world.champion).get(url("onboarding"))
        assert page.status_code == 200
        assert b"has not started yet" in page.content
        assert (
            b"Start"
            not in client_for(world.executive).get(url("onboarding")).content.split(b"<main")[1][:0]
            + b""
        )


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
        mine = body[body.index('id="onboarding-mine"') :]
        assert (
            'hx-swap-oob="true"' in mine[:60] and "Share your goals" not in mine
        )  # done: off "Your tasks"
        goals.refresh_from_db()
        assert goals.completed_by == world.champion and goals.completed_at is not None
        assert Activity.objects.filter(verb="completed a task", actor=world.champion).exists()

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
        assert (
            client.post(
                url("onboarding_task_done", task("Connect your data").pk), {"done": "1"}
            ).status_code
            == 302
        )
        assert (
            client.post(
                url("onboarding_task_done", task("Share your goals").pk), {"done": "1"}
            ).status_code
            == 403
        )
        assert task("Share your goals").completed_at is None

    def test_executives_read(self, world: World) -> None:
        start(world)
        response = client_for(world.executive).post(
            url("onboarding_task_done", task("Share your goals").pk), {"done": "1"}
        )
        assert response.status_code == 403
        assert task("Share your goals").completed_at is None

    def test_a_champion_cannot_tick_the_vendors_tasks(self, world: World) -> None:
        start(world)
        response = client_for(world.champion).post(
            url("onboarding_task_done", task("Kickoff call").pk), {"done": "1"}
        )
        assert response.status_code == 403

    def test_a_task_of_another_account_is_not_found(self, world: World) -> None:
        start(world)
        other = start_onboarding(
            world.other_account,
            template=make_template(world.other_csm),
            kickoff_date=TODAY(),
            acting_user=world.other_csm,
        )
        foreign = other.tasks.filter(owner_side="customer").first()
        assert (
            client_for(world.champion)
            .post(url("onboarding_task_done", foreign.pk), {"done": "1"})
            .status_code
            == 404
        )
        assert (
            client_for(world.csm)
            .post(url("onboarding_task_done", foreign.pk), {"done": "1"})
            .status_code
            == 404
        )
        foreign.refresh_from_db()
        assert foreign.completed_at is None

    def test_a_garbled_tick_is_a_400(self, world: World) -> None:
        start(world)
        response = client_for(world.champion).post(
            url("onboarding_task_done", task("Share your goals").pk), {"done": "maybe"}
        )
        assert response.status_code == 400


class TestFigures:
    def test_status_at_its_boundaries(self, world: World) -> None:
        today = TODAY()
        checklist = start(world, today + timedelta(days=1))
        tasks = list(checklist.tasks.all())
        assert status(checklist, tasks, today) == Status.NOT_STARTED
        assert (
            status(checklist, tasks, today + timedelta(days=1)) == Status.ON_TRACK
        )  # kickoff day: due today is not overdue
        assert (
            status(checklist, tasks, today + timedelta(days=2)) == Status.AT_RISK
        )  # the kickoff call is a day late
        optional = task("Optional training")
        optional.due_date = today - timedelta(days=30)
        optional.save()
        for t in checklist.tasks.filter(required=True):
            set_task_done(t, True, acting_user=world.csm)
        tasks = list(checklist.tasks.all())
        assert (
            status(checklist, tasks, today + timedelta(days=60)) == Status.COMPLETED
        )  # optional overdue doesn't matter
        checklist.refresh_from_db()
        assert checklist.completed_at is not None

    def test_projected_go_live_is_the_last_open_due_date_with_overdue_counted_as_today(
        self, world: World
    ) -> None:
        today = TODAY()
        checklist = start(world, today - timedelta(days=30))  # everything is overdue
        assert projected_go_live(list(checklist.tasks.all()), today) == today
        checklist2 = Checklist.objects.get(pk=checklist.pk)
        Task.objects.filter(title="Optional training").update(due_date=today + timedelta(days=9))
        assert projected_go_live(list(checklist2.tasks.all()), today) == today + timedelta(days=9)

    def test_time_to_value_counts_days_from_kickoff_to_the_value_milestone(
        self, world: World
    ) -> None:
        checklist = start(world, TODAY() - timedelta(days=12))
        assert checklist.time_to_value is None
        set_task_done(task("First report shared"), True, acting_user=world.champion)
        checklist.refresh_from_db()
        assert checklist.time_to_value == 12
        set_task_done(task("First report shared"), False, acting_user=world.champion)
        checklist.refresh_from_db()
        assert checklist.time_to_value is None
        page = client_for(world.champion).get(url("onboarding")).content.decode()
        assert "not yet" in page


class TestAssigningAndComments:
    def test_a_champion_assigns_a_customer_task_to_a_colleague(self, world: World) -> None:
        start(world)
        goals = task("Share your goals")
        response = client_for(world.champion).post(
            url("onboarding_task_assign", goals.pk), {"assignee": world.executive.pk}
        )
        assert response.status_code == 302
        goals.refresh_from_db()
        assert goals.assignee == world.executive
        entry = Activity.objects.get(verb="assigned a task")
        assert entry.after["assignee"] == str(world.executive)

    def test_nobody_outside_the_account_can_be_assigned(self, world: World) -> None:
        start(world)
        goals = task("Share your goals")
        for outsider in [world.other_champion, world.other_csm]:
            response = client_for(world.csm).post(
                url("onboarding_task_assign", goals.pk), {"assignee": outsider.pk}
            )
            assert response.status_code == 422
        goals.refresh_from_db()
        assert goals.assignee == world.champion

    def test_members_comment_on_their_tasks_and_the_log_has_it(self, world: World) -> None:
        start(world)
        data = task("Connect your data")
        response = client_for(world.member).post(
            url("onboarding_task_comment", data.pk),
            {"body": "Which warehouse do you support?"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert b"Which warehouse do you support?" in response.content
        assert Activity.objects.filter(verb="commented on a task", actor=world.member).exists()

    def test_an_empty_comment_is_a_422(self, world: World) -> None:
        start(world)
        response = client_for(world.champion).post(
            url("onboarding_task_comment", task("Share your goals").pk), {"body": "   "}
        )
        assert response.status_code == 422

    def test_comments_are_escaped(self, world: World) -> None:
        start(world)
        goals = task("Share your goals")
        client_for(world.champion).post(
            url("onboarding_task_comment", goals.pk), {"body": "<script>alert(1)</script>"}
        )
        page = client_for(world.csm).get(url("onboarding_task", goals.pk)).content
        assert b"<script>alert(1)</script>" not in page and b"&lt;script&gt;" in page


class TestCSMEdits:
    def form(self, checklist: Checklist, **overrides: Any) -> dict[str, Any]:
        data = {
            "phase": checklist.phases.first().pk, "title": "Security review", "description": "",
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
        response = client_for(world.csm).post(
            url("onboarding_task_add"), self.form(checklist, **overrides)
        )
        assert response.status_code == 422
        assert message in response.content
        assert Task.objects.count() == 6

    def test_an_assignee_from_another_account_is_refused(self, world: World) -> None:
        checklist = start(world)
        response = client_for(world.csm).post(
            url("onboarding_task_add"), self.form(checklist, assignee=world.other_champion.pk)
        )
        assert response.status_code == 422
        assert not Task.objects.filter(title="Security review").exists()

    def test_a_phase_of_another_checklist_is_refused(self, world: World) -> None:
        checklist = start(world)
        other = start_onboarding(
            world.other_account,
            template=make_template(world.other_csm),
            kickoff_date=TODAY(),
            acting_user=world.other_csm,
        )
        response = client_for(world.csm).post(
            url("onboarding_task_add"),
            self.form(checklist, phase=ChecklistPhase.objects.filter(checklist=other).first().pk),
        )
        assert response.status_code == 422

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
        response = client_for(world.csm).post(
            url("onboarding_task_edit", goals.pk),
            {
                **self.form(checklist, title="Share goals by Friday"),
                "phase": goals.phase_id,
                "version": stale_version,
            },
        )
        assert response.status_code == 409
        assert b"Share your three goals" in response.content
        assert task("Share your three goals")  # the first edit stands

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
        assert (entry.before["title"], entry.after["title"]) == ("Share your goals", "Share goals")

    def test_remove_and_reorder(self, world: World) -> None:
        start(world)
        client = client_for(world.csm)
        first, second = task("Kickoff call"), task("Share your goals")
        assert (
            client.post(url("onboarding_task_move", second.pk), {"direction": "up"}).status_code
            == 302
        )
        first.refresh_from_db(), second.refresh_from_db()
        assert second.position < first.position
        assert Activity.objects.filter(
            verb="moved a task up", target_label="Share your goals"
        ).exists()
        assert (
            client.post(
                url("onboarding_task_move", second.pk), {"direction": "sideways"}
            ).status_code
            == 400
        )
        assert client.post(url("onboarding_task_delete", first.pk)).status_code == 302
        assert not Task.objects.filter(pk=first.pk).exists()
        assert Activity.objects.filter(verb="removed a task").exists()

    def test_the_reminder_ladder_must_climb(self, world: World) -> None:
        start(world)
        client = client_for(world.csm)
        bad = {"remind_assignee_after": 5, "remind_champion_after": 2, "remind_csm_after": 9}
        assert client.post(url("onboarding_ladder"), bad).status_code == 422
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
        today = TODAY()
        start(world, today - timedelta(days=10))  # acme: overdue tasks
        calm = AccountFactory(name="Calm Co", slug="calm", owner=world.csm)
        start_onboarding(
            calm,
            template=make_template(world.csm),
            kickoff_date=today + timedelta(days=3),
            acting_user=world.csm,
        )
        response = client_for(world.csm).get(reverse("onboarding_portfolio"))
        rows = response.context["rows"]
        assert [r["checklist"].account.name for r in rows] == ["Acme", "Calm Co"]
        assert [r["status"] for r in rows] == ["at_risk", "not_started"]
        assert rows[0]["checklist"].overdue == 4  # shared and internal, required or not
        assert b"Bluth" not in response.content

    def test_last_customer_activity_and_median_time_to_value(self, world: World) -> None:
        today = TODAY()
        start(world, today - timedelta(days=10))
        set_task_done(task("First report shared"), True, acting_user=world.champion)
        b = AccountFactory(name="Beta", slug="beta", owner=world.csm)
        MembershipFactory(account=b, role="champion")
        checklist = start_onboarding(
            b,
            template=make_template(world.csm),
            kickoff_date=today - timedelta(days=4),
            acting_user=world.csm,
        )
        set_task_done(checklist.tasks.get(is_value_milestone=True), True, acting_user=world.csm)
        response = client_for(world.csm).get(reverse("onboarding_portfolio"))
        assert response.context["median_ttv"] == 7  # median of 10 and 4
        quiet = {r["checklist"].account.name: r["quiet_days"] for r in response.context["rows"]}
        assert quiet == {"Acme": 0, "Beta": None}  # Beta's customers have done nothing

    def test_filters_and_sorting(self, world: World) -> None:
        start(world, TODAY() - timedelta(days=10))
        client = client_for(world.csm)
        assert (
            len(
                client.get(reverse("onboarding_portfolio"), {"status": "completed"}).context["rows"]
            )
            == 0
        )
        assert (
            len(client.get(reverse("onboarding_portfolio"), {"status": "at_risk"}).context["rows"])
            == 1
        )
        assert len(client.get(reverse("onboarding_portfolio"), {"q": "zzz"}).context["rows"]) == 0
        for sort in ["account", "-done", "quiet", "golive", "overdue", "nonsense"]:
            assert client.get(reverse("onboarding_portfolio"), {"sort": sort}).status_code == 200


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


def count_queries(client: Any, path: str) -> int:
    client.get(path)  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_checklist_page_costs_the_same_queries_for_10_and_500_tasks(world: World) -> None:
    checklist = start(world)
    bulk_tasks(checklist, 4)  # 10 tasks
    counts = {}
    for persona in ["champion", "csm"]:
        counts[persona] = count_queries(client_for(world.persona(persona)), url("onboarding"))
    bulk_tasks(checklist, 490)
    for persona in ["champion", "csm"]:
        assert (
            count_queries(client_for(world.persona(persona)), url("onboarding")) == counts[persona]
        )


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
            start_onboarding(
                account, template=template, kickoff_date=TODAY(), acting_user=world.csm
            )
        Membership.objects.bulk_create(
            Membership(user=world.champion, account=a, role="member") for a in accounts[:5]
        )

    add_accounts(3)
    few = count_queries(client, reverse("onboarding_portfolio"))
    add_accounts(297)
    assert count_queries(client, reverse("onboarding_portfolio")) == few


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
