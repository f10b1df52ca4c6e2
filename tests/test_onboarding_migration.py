"""Onboarding moved from the successplans app to its own: a database made before keeps every row.

Each test migrates back to the last successplans migration that held onboarding, writes rows
with the models as they were then (historical models), migrates to the latest and reads them
through today's models. The move touches no table, so it runs the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Activity
from onboarding.models import (
    Checklist,
    ChecklistPhase,
    ChecklistTemplate,
    ReminderSent,
    Task,
    TaskComment,
    TemplatePhase,
    TemplateTask,
)
from successplans.models import KPI, Objective, SuccessPlan

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("successplans", "0002_success_plans")
MOVED = [
    "checklisttemplate",
    "templatephase",
    "templatetask",
    "checklist",
    "checklistphase",
    "task",
    "taskcomment",
    "remindersent",
]
KICKOFF = date(2026, 3, 2)


class Migrator:
    def __init__(self) -> None:
        self.executor = MigrationExecutor(connection)

    def migrate(self, targets: list[tuple[str, str]]) -> None:
        self.executor.loader.build_graph()  # what is applied now
        self.executor.migrate(targets)
        ContentType.objects.clear_cache()

    def before(self) -> Apps:
        """Back to onboarding inside successplans; the models as they were then."""
        self.migrate([BEFORE])
        return self.executor.loader.project_state([BEFORE]).apps

    def latest(self) -> None:
        self.executor.loader.build_graph()
        self.migrate(self.executor.loader.graph.leaf_nodes())


@pytest.fixture
def migrator() -> Iterator[Migrator]:
    migrator = Migrator()
    try:
        yield migrator
    finally:
        migrator.latest()  # whatever happened, the next tests find the latest schema


def old_rows(apps: Apps) -> dict[str, Any]:
    """An account part-way through onboarding, with a template, comments, a reminder and a plan,
    written with the models of the successplans app before the move."""
    User = apps.get_model("accounts", "User")
    Account = apps.get_model("accounts", "Account")
    get = lambda name: apps.get_model("successplans", name)  # noqa: E731

    csm = User.objects.create(email="csm@vendor.example", name="Casey", vendor_role="csm")
    champion = User.objects.create(email="dana@acme.example", name="Dana")
    account = Account.objects.create(name="Acme", slug="acme", owner=csm)

    template = get("ChecklistTemplate").objects.create(name="Enterprise", created_by=csm)
    kickoff = get("TemplatePhase").objects.create(template=template, name="Kickoff", position=0)
    get("TemplateTask").objects.create(
        phase=kickoff, title="Kickoff call", owner_side="vendor", default_role="csm"
    )
    get("TemplateTask").objects.create(
        phase=kickoff,
        title="Invite your team",
        default_role="champion",
        due_offset_days=7,
        position=1,
    )

    checklist = get("Checklist").objects.create(
        account=account,
        template=template,
        template_name="Enterprise",
        kickoff_date=KICKOFF,
        started_by=csm,
        remind_champion_after=5,
    )
    phase = get("ChecklistPhase").objects.create(checklist=checklist, name="Kickoff")
    call = get("Task").objects.create(
        checklist=checklist,
        phase=phase,
        title="Kickoff call",
        owner_side="vendor",
        assignee=csm,
        due_date=KICKOFF,
    )
    invite = get("Task").objects.create(
        checklist=checklist,
        phase=phase,
        title="Invite your team",
        assignee=champion,
        due_date=KICKOFF + timedelta(days=7),
        is_value_milestone=True,
        position=1,
    )
    comment = get("TaskComment").objects.create(task=invite, author=champion, body="Done by Friday")
    get("ReminderSent").objects.create(
        user=champion, day=KICKOFF, items=[{"task": invite.pk, "reason": "due_soon"}]
    )

    plan = get("SuccessPlan").objects.create(
        account=account,
        name="2027 success plan",
        starts_on=KICKOFF,
        ends_on=KICKOFF + timedelta(days=365),
        created_by=csm,
    )
    objective = get("Objective").objects.create(plan=plan, title="Close the books faster")
    get("KPI").objects.create(
        objective=objective, name="Reporting time", baseline=Decimal(48), target=Decimal(8)
    )

    # The activity log points at the task through its content type, as it stood then.
    ContentTypeThen = apps.get_model("contenttypes", "ContentType")
    task_type, _ = ContentTypeThen.objects.get_or_create(app_label="successplans", model="task")
    activity = apps.get_model("accounts", "Activity").objects.create(
        account=account,
        actor=champion,
        verb="commented on a task",
        target_type=task_type,
        target_id=str(invite.pk),
        target_label=invite.title,
    )
    return {
        "account": account.pk,
        "template": template.pk,
        "checklist": checklist.pk,
        "tasks": [call.pk, invite.pk],
        "comment": comment.pk,
        "plan": plan.pk,
        "activity": activity.pk,
        "task_type": task_type.pk,
    }


def test_every_onboarding_row_is_there_after_the_move(migrator: Migrator) -> None:
    rows = old_rows(migrator.before())

    migrator.latest()

    template = ChecklistTemplate.objects.get(pk=rows["template"])
    assert template.name == "Enterprise"
    assert template.created_by.email == "csm@vendor.example"
    assert [p.name for p in TemplatePhase.objects.filter(template=template)] == ["Kickoff"]
    assert list(
        TemplateTask.objects.filter(phase__template=template).values_list(
            "title", "default_role", "due_offset_days"
        )
    ) == [("Kickoff call", "csm", 0), ("Invite your team", "champion", 7)]

    checklist = Checklist.objects.get(pk=rows["checklist"])
    assert checklist.account.slug == "acme"
    assert checklist.account.checklist == checklist  # the reverse relation, from accounts
    assert checklist.template == template
    assert (checklist.kickoff_date, checklist.remind_champion_after) == (KICKOFF, 5)
    assert [p.name for p in ChecklistPhase.objects.filter(checklist=checklist)] == ["Kickoff"]
    tasks = list(checklist.tasks.order_by("position"))
    assert [t.pk for t in tasks] == rows["tasks"]
    assert [t.title for t in tasks] == ["Kickoff call", "Invite your team"]
    assignee = tasks[1].assignee
    assert assignee is not None and assignee.email == "dana@acme.example"
    assert tasks[1].is_value_milestone
    assert tasks[1].get_absolute_url() == f"/a/acme/onboarding/tasks/{tasks[1].pk}/"
    comment = TaskComment.objects.get(pk=rows["comment"])
    assert (comment.task, comment.body) == (tasks[1], "Done by Friday")
    reminder = ReminderSent.objects.get()
    assert (reminder.user.email, reminder.day) == ("dana@acme.example", KICKOFF)
    assert reminder.items == [{"task": tasks[1].pk, "reason": "due_soon"}]

    plan = SuccessPlan.objects.get(pk=rows["plan"])
    assert plan.account.slug == "acme"
    assert [o.title for o in Objective.objects.filter(plan=plan)] == ["Close the books faster"]
    assert KPI.objects.get(objective__plan=plan).target == Decimal(8)

    # The content type moved with its model, keeping its id: the log still finds the task.
    task_type = ContentType.objects.get_for_model(Task)
    assert (task_type.pk, task_type.app_label) == (rows["task_type"], "onboarding")
    activity = Activity.objects.get(pk=rows["activity"])
    assert activity.target_type == task_type
    assert activity.target_type.get_object_for_this_type(pk=activity.target_id) == tasks[1]
    assert not ContentType.objects.filter(app_label="successplans", model__in=MOVED).exists()

    # And the tables take new rows after the old ones.
    new = TaskComment.objects.create(task=tasks[0], author=checklist.started_by, body="Booked")
    assert new.pk > comment.pk


def test_a_content_type_made_before_the_migration_takes_over_the_log(
    migrator: Migrator,
) -> None:
    """Say the new code ran (and made onboarding's content type) before migrate did: the log's
    entries move to it and the old one goes."""
    apps = migrator.before()
    rows = old_rows(apps)
    ContentTypeThen = apps.get_model("contenttypes", "ContentType")
    made_early = ContentTypeThen.objects.create(app_label="onboarding", model="task")

    migrator.latest()

    assert ContentType.objects.get_for_model(Task).pk == made_early.pk
    assert Activity.objects.get(pk=rows["activity"]).target_type_id == made_early.pk
    assert not ContentType.objects.filter(pk=rows["task_type"]).exists()
    assert not ContentType.objects.filter(app_label="successplans", model__in=MOVED).exists()


def test_going_back_gives_successplans_its_content_types(migrator: Migrator) -> None:
    task_type = ContentType.objects.get_for_model(Task)

    apps = migrator.before()

    ContentTypeThen = apps.get_model("contenttypes", "ContentType")
    assert ContentTypeThen.objects.get(pk=task_type.pk).app_label == "successplans"
    assert apps.get_model("successplans", "Task")._meta.db_table == "successplans_task"


@pytest.mark.parametrize(
    ("app", "migration"),
    [("successplans", "0003"), ("onboarding", "0001")],
)
def test_the_move_itself_runs_no_sql(app: str, migration: str) -> None:
    """Only the apps' state changes: no table is created, dropped, renamed or altered."""
    out = io.StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    statements = [
        line
        for line in out.getvalue().splitlines()
        if line.strip() and not line.startswith("--") and line.strip() not in ("BEGIN;", "COMMIT;")
    ]
    assert statements == []
