"""Onboarding's figures, each defined once in onboarding/figures.py: which tasks count, the
percent, the status, the projected go-live, time to value, and progress at a past moment.

Where a figure has a database form and a Python form, a test runs both over every case and
expects the same answer."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from onboarding.figures import (
    COUNTED,
    INTERNAL,
    RANK,
    Progress,
    Status,
    checklist_view,
    figures_of_annotations,
    figures_of_tasks,
    is_counted,
    is_internal_counted,
    progress_at,
    projected_go_live,
    share_percent,
    status,
    summary,
    time_to_value,
    with_figures,
)
from onboarding.models import Checklist, ChecklistPhase, Side, Task
from onboarding.services import set_task_done
from tests.conftest import World, client_for
from tests.factories import AccountFactory
from tests.onboarding_helpers import DAY, NOW, start


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def task(title: str) -> Task:
    return Task.objects.get(title=title)


# Which tasks count ----------------------------------------------------------------------------


def test_the_database_rule_and_the_python_rule_agree_on_every_kind_of_task(world: World) -> None:
    checklist = Checklist.objects.create(
        account=world.account, kickoff_date=DAY, started_by=world.csm
    )
    phase = ChecklistPhase.objects.create(checklist=checklist, name="All kinds")
    kinds = list(
        itertools.product([True, False], [True, False], Side.values, [True, False], [True, False])
    )
    for required, internal, side, done, milestone in kinds:
        Task.objects.create(
            checklist=checklist,
            phase=phase,
            title=f"{required} {internal} {side} {done} {milestone}",
            required=required,
            internal=internal,
            owner_side=side,
            is_value_milestone=milestone,
            completed_at=NOW if done else None,
        )
    tasks = list(Task.objects.all())
    assert len(tasks) == len(kinds) == 32
    counted_pks = {t.pk for t in Task.objects.filter(COUNTED)}
    internal_pks = {t.pk for t in Task.objects.filter(INTERNAL)}
    assert counted_pks == {t.pk for t in tasks if is_counted(t)}
    assert internal_pks == {t.pk for t in tasks if is_internal_counted(t)}
    # What the rule says, in words: required and shared count; optional never does.
    assert all(t.required and not t.internal for t in tasks if t.pk in counted_pks)
    assert len(counted_pks) == len(internal_pks) == 8 and not counted_pks & internal_pks


@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [
        (0, 0, None),  # nothing to count: no data, not 100%
        (0, 5, 0),
        (1, 2, 50),
        (1, 3, 33),
        (2, 3, 67),
        (1, 8, 13),  # 12.5: half up
        (3, 8, 38),  # 37.5: half up (round() would say 38 too, but 2.5 would go to 2)
        (1, 40, 3),  # 2.5: half up, where round() gives 2
        (1, 200, 1),  # 0.5
        (1, 201, 0),
        (199, 200, 100),  # 99.5 rounds up to 100 ...
        (4, 4, 100),
    ],
)
def test_the_percent_is_whole_and_rounded_half_up(
    done: int, total: int, percent: int | None
) -> None:
    assert share_percent(done, total) == percent
    assert Progress(done, total).percent == percent


# Status, go-live, and the portfolio's SQL that must say the same ------------------------------


@dataclass(frozen=True)
class Spec:
    """A task of a case: due ``due`` days from DAY (None: no due date)."""

    due: int | None
    done: bool = False
    required: bool = True
    internal: bool = False
    side: str = Side.CUSTOMER


CASES: dict[str, list[Spec]] = {
    "no tasks": [],
    "only optional, overdue": [Spec(-3, required=False)],
    "only internal, overdue": [Spec(-3, internal=True, side=Side.VENDOR)],
    "all counted done": [Spec(-3, done=True), Spec(5, done=True, side=Side.VENDOR)],
    "all counted done, internal late": [
        Spec(-3, done=True),
        Spec(-9, internal=True, side=Side.VENDOR),
    ],
    "one counted overdue": [Spec(-1), Spec(6), Spec(-8, done=True)],
    "due today is not overdue": [Spec(0), Spec(2, done=True)],
    "open without due dates": [Spec(None), Spec(None, done=True)],
    "optional late, counted ahead": [Spec(-4, required=False), Spec(9), Spec(3)],
    "vendor side counts like the customer's": [Spec(-2, side=Side.VENDOR), Spec(4)],
    "a done task before kickoff": [Spec(20, done=True), Spec(30)],
}
KICKOFFS = {"kicked off 10 days ago": -10, "kicking off today": 0, "kicking off in 5 days": 5}


def make_case(account_name: str, kickoff: int, specs: list[Spec], owner: User) -> Checklist:
    account = AccountFactory.create(name=account_name, owner=owner)
    checklist = Checklist.objects.create(
        account=account, kickoff_date=DAY + timedelta(days=kickoff), started_by=owner
    )
    phase = ChecklistPhase.objects.create(checklist=checklist, name="Phase")
    for n, spec in enumerate(specs):
        Task.objects.create(
            checklist=checklist,
            phase=phase,
            title=f"Task {n}",
            required=spec.required,
            internal=spec.internal,
            owner_side=spec.side,
            due_date=None if spec.due is None else DAY + timedelta(days=spec.due),
            completed_at=NOW if spec.done else None,
            client_token=uuid.uuid4(),
        )
    return checklist


def test_the_portfolios_sql_and_the_pages_python_agree_on_every_case(world: World) -> None:
    """Every case, kicked off at three points, read on three days: the annotations of
    with_figures (the portfolio, the reminders, summary) and the figures of the loaded tasks
    (the checklist page, the account panel) give the same progress, overdue count, status,
    rank and go-live."""
    names = {}
    for (case, specs), (when, kickoff) in itertools.product(CASES.items(), KICKOFFS.items()):
        checklist = make_case(f"{case}, {when}", kickoff, specs, world.csm)
        names[checklist.pk] = checklist.account.name
    statuses = set()
    for today in [DAY - timedelta(days=20), DAY, DAY + timedelta(days=20)]:
        annotated = with_figures(Checklist.objects.filter(pk__in=names), today)
        for checklist in annotated:
            tasks = list(Task.objects.filter(checklist=checklist))
            python = figures_of_tasks(checklist, tasks, today)
            sql = figures_of_annotations(checklist, today)
            label = (names[checklist.pk], today)
            assert sql.progress == python.progress, label
            assert sql.internal == python.internal, label
            assert sql.overdue == python.overdue, label
            assert sql.last_open_due == python.last_open_due, label
            assert sql.status == python.status, label
            assert checklist.rank == RANK[python.status], label
            assert checklist.go_live == python.projected_go_live, label
            statuses.add(python.status)
    assert statuses == set(Status.LABELS)  # the cases reach every status


@pytest.mark.parametrize(
    ("done", "total", "overdue", "kickoff", "expected"),
    [
        (3, 3, 0, 0, Status.COMPLETED),
        (3, 3, 0, 5, Status.COMPLETED),
        (0, 0, 0, -5, Status.ON_TRACK),  # nothing counts: never "completed"
        (0, 0, 0, 5, Status.NOT_STARTED),
        (1, 3, 1, -5, Status.AT_RISK),
        (0, 3, 1, 5, Status.AT_RISK),  # late already, even before kickoff
        (0, 3, 0, 1, Status.NOT_STARTED),
        (1, 3, 0, 1, Status.ON_TRACK),  # work done before kickoff: started
        (0, 3, 0, 0, Status.ON_TRACK),  # the kickoff day
    ],
)
def test_status_follows_its_rules_in_order(
    done: int, total: int, overdue: int, kickoff: int, expected: str
) -> None:
    result = status(
        done=done,
        total=total,
        overdue=overdue,
        kickoff_date=DAY + timedelta(days=kickoff),
        today=DAY,
    )
    assert result == expected


def test_status_at_its_boundaries(world: World) -> None:
    checklist = start(world, DAY + timedelta(days=1))

    def status_on(day: date) -> str:
        return figures_of_tasks(checklist, list(checklist.tasks.all()), day).status

    assert status_on(DAY) == Status.NOT_STARTED
    assert status_on(DAY + timedelta(days=1)) == Status.ON_TRACK  # due today is not overdue
    assert status_on(DAY + timedelta(days=2)) == Status.AT_RISK  # the kickoff call is late
    Task.objects.filter(title="Optional training").update(due_date=DAY - timedelta(days=30))
    Task.objects.filter(title="Internal handover").update(due_date=DAY - timedelta(days=30))
    for t in checklist.tasks.filter(COUNTED):
        set_task_done(t, True, acting_user=world.csm)
    # Late optional and internal tasks do not hold it back.
    assert status_on(DAY + timedelta(days=60)) == Status.COMPLETED
    checklist.refresh_from_db()
    assert checklist.completed_at == NOW


def test_the_checklist_is_completed_with_its_last_counted_task_only(world: World) -> None:
    checklist = start(world)
    counted = list(checklist.tasks.filter(COUNTED))
    for t in counted[:-1]:
        set_task_done(t, True, acting_user=world.csm)
    set_task_done(task("Internal handover"), True, acting_user=world.csm)
    set_task_done(task("Optional training"), True, acting_user=world.csm)
    checklist.refresh_from_db()
    assert checklist.completed_at is None
    set_task_done(counted[-1], True, acting_user=world.csm)
    checklist.refresh_from_db()
    assert checklist.completed_at == NOW
    assert summary(checklist).went_live == DAY
    set_task_done(counted[-1], False, acting_user=world.csm)
    checklist.refresh_from_db()
    assert checklist.completed_at is None


def test_projected_go_live_is_the_last_open_counted_due_date_with_overdue_counted_as_today(
    world: World,
) -> None:
    checklist = start(world, DAY - timedelta(days=30))  # everything is overdue
    assert summary(checklist).projected_go_live == DAY
    # Optional and internal tasks do not move it.
    Task.objects.filter(title__in=["Optional training", "Internal handover"]).update(
        due_date=DAY + timedelta(days=90)
    )
    assert summary(checklist).projected_go_live == DAY
    Task.objects.filter(title="Connect your data").update(due_date=DAY + timedelta(days=9))
    assert summary(checklist).projected_go_live == DAY + timedelta(days=9)
    assert projected_go_live(None, DAY) is None


def test_time_to_value_counts_days_from_kickoff_to_the_value_milestone(world: World) -> None:
    checklist = start(world, DAY - timedelta(days=12))
    assert time_to_value(checklist) is None
    set_task_done(task("First report shared"), True, acting_user=world.champion)
    checklist.refresh_from_db()
    assert time_to_value(checklist) == checklist.time_to_value == 12
    page = client_for(world.champion).get(reverse("onboarding", args=["acme"])).content.decode()
    assert "12 days" in page
    set_task_done(task("First report shared"), False, acting_user=world.champion)
    checklist.refresh_from_db()
    assert time_to_value(checklist) is None
    page = client_for(world.champion).get(reverse("onboarding", args=["acme"])).content.decode()
    assert "not yet" in page


def test_time_to_value_counts_local_days(world: World, settings: Any) -> None:
    """Done at 23:30 UTC on the 10th is the 11th in Berlin: one more day of waiting."""
    settings.TIME_ZONE = "Europe/Berlin"
    checklist = start(world, DAY - timedelta(days=12))
    Task.objects.filter(title="First report shared").update(
        completed_at=datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    )
    Checklist.objects.filter(pk=checklist.pk).update(
        value_reached_at=datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    )
    checklist.refresh_from_db()
    assert time_to_value(checklist) == 13


# Progress at a moment, for the PDFs ----------------------------------------------------------


def test_progress_at_counts_what_was_done_before_the_moment(
    world: World, time_machine: Any
) -> None:
    checklist = start(world, DAY - timedelta(days=10))
    early, late = NOW - timedelta(days=5), NOW + timedelta(days=5)
    time_machine.move_to(early, tick=False)
    set_task_done(task("Kickoff call"), True, acting_user=world.csm)
    set_task_done(task("Internal handover"), True, acting_user=world.csm)  # never counts
    set_task_done(task("Optional training"), True, acting_user=world.csm)  # never counts
    time_machine.move_to(late, tick=False)
    set_task_done(task("Share your goals"), True, acting_user=world.champion)

    assert progress_at(checklist, early - timedelta(seconds=1)) == Progress(0, 4)
    assert progress_at(checklist, early) == Progress(0, 4)  # done *before* the moment
    assert progress_at(checklist, NOW) == Progress(1, 4)
    assert progress_at(checklist, late + timedelta(seconds=1)) == Progress(2, 4)
    assert progress_at(checklist, NOW).percent == 25
    # Now, it is the figure every page shows.
    assert progress_at(checklist, timezone.now() + timedelta(days=1)) == summary(checklist).progress


def test_summary_gives_what_the_page_shows_in_one_query(
    world: World, django_assert_num_queries: Any
) -> None:
    checklist = start(world, DAY - timedelta(days=4))
    set_task_done(task("Share your goals"), True, acting_user=world.champion)
    set_task_done(task("Internal handover"), True, acting_user=world.csm)
    view = checklist_view(checklist, viewer_id=world.csm.pk, with_internal=True)
    with django_assert_num_queries(1):
        figures = summary(checklist)
    assert figures.progress == view.figures.progress == Progress(1, 4)
    assert figures.internal == view.figures.internal == Progress(1, 1)
    assert (figures.status, figures.overdue) == (view.figures.status, view.figures.overdue)
    assert figures.projected_go_live == view.figures.projected_go_live
