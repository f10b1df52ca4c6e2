"""A small template and a started checklist, for the onboarding tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from django.utils import timezone

from accounts.models import Account, Activity, User
from onboarding.models import (
    Checklist,
    ChecklistPhase,
    ChecklistTemplate,
    ReminderSent,
    Side,
    Task,
    TaskComment,
    TemplatePhase,
    TemplateTask,
)
from onboarding.services import start_onboarding
from portal.models import Job


def make_template(owner: User, *, tasks_per_phase: int = 2) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(name="Standard onboarding", created_by=owner)
    # (phase, [(title, side, default role, due offset in days, other fields)])
    specs: list[tuple[str, list[tuple[str, Side, str, int, dict[str, bool]]]]] = [
        ("Kickoff", [("Kickoff call", Side.VENDOR, "csm", 0, {}), ("Share your goals", Side.CUSTOMER, "champion", 3, {})]),
        ("Set-up", [("Connect your data", Side.CUSTOMER, "member", 7, {}), ("Internal handover", Side.VENDOR, "csm", 2, {"internal": True})]),
        ("Go-live", [("First report shared", Side.CUSTOMER, "champion", 14, {"is_value_milestone": True}), ("Optional training", Side.CUSTOMER, "", 20, {"required": False})]),
    ]  # fmt: skip
    for position, (name, tasks) in enumerate(specs):
        phase = TemplatePhase.objects.create(template=template, name=name, position=position)
        for i, (title, side, role, offset, extra) in enumerate(tasks[:tasks_per_phase]):
            TemplateTask.objects.create(
                phase=phase, title=title, owner_side=side, default_role=role,
                due_offset_days=offset, position=i, **extra,
            )  # fmt: skip
    return template


class AccountWithCSM(Protocol):
    """What :func:`start` reads from a test's world: the account and the CSM who owns it."""

    account: Account
    csm: User


def start(world: AccountWithCSM, kickoff: date | None = None) -> Checklist:
    template = make_template(world.csm)
    return start_onboarding(
        world.account,
        template=template,
        kickoff_date=kickoff or timezone.localdate() - timedelta(days=5),
        acting_user=world.csm,
    )


# Every onboarding test runs on this day, with the clock stopped (the modules' autouse
# fixtures move time-machine here).
DAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def onboarding_state() -> list[Any]:
    """Every onboarding row, the activity log and the job queue: what a refused request must
    leave exactly as it was."""
    models: list[Any] = [
        ChecklistTemplate, TemplatePhase, TemplateTask, Checklist, ChecklistPhase, Task,
        TaskComment, ReminderSent, Activity, Job,
    ]  # fmt: skip
    return [list(model.objects.order_by("pk").values()) for model in models]
