"""Data for the playbooks tests, and their rows of the URL x role access matrix.

tests/test_access_matrix.py takes everything from here::

    EXPECTED.update(PLAYBOOKS_EXPECTED)
    # in matrix_world:   ctx["playbooks"] = make_playbooks_world(world)
    # in url_and_data:   **playbooks_url_args(ctx["playbooks"], slug),
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.services import account_mail_off_url
from playbooks.models import AccountPause, CSMTask, EventKind, Playbook, Priority, StepStatus
from tests.conftest import World
from tests.factories import (
    CSMTaskFactory,
    EmailTemplateFactory,
    PlaybookFactory,
    PlaybookRunFactory,
    PlaybookStepFactory,
    RunStepFactory,
)

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
TASK_WRITE = [L, 403, 403, 403, 403, 302, 404, 302]  # a task on account A, the CSM's
VENDOR_READ = [L, 403, 403, 403, 404, 200, 404, 200]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
ADMIN_READ = [L, 403, 403, 403, 403, 403, 403, 200]
ADMIN_WRITE = [L, 403, 403, 403, 403, 403, 403, 302]
POST_ONLY = [405] * 8
# A signed link from an e-mail: no log-in needed, the same for everyone holding it.
PUBLIC_READ = [200] * 8
PUBLIC_WRITE = [302] * 8

PLAYBOOKS_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "today": (CONSOLE_READ, None),
    "task_complete": (POST_ONLY, TASK_WRITE),
    "task_snooze": (POST_ONLY, TASK_WRITE),
    "task_reassign": (POST_ONLY, TASK_WRITE),
    "task_note": (POST_ONLY, TASK_WRITE),
    "task_create": (VENDOR_READ, VENDOR_WRITE),
    "playbooks": (ADMIN_READ, None),
    "playbook_toggle": (POST_ONLY, ADMIN_WRITE),
    "playbook_runs": (VENDOR_READ, None),
    "playbook_run": (VENDOR_READ, None),
    "playbooks_pause": (POST_ONLY, VENDOR_WRITE),
    "playbooks_resume": (POST_ONLY, VENDOR_WRITE),
    "email_templates": (ADMIN_READ, None),
    "email_template_create": (ADMIN_READ, ADMIN_WRITE),
    "email_template_edit": (ADMIN_READ, ADMIN_WRITE),
    "email_template_preview": (ADMIN_READ, None),
    # The accounts app's one-click "stop these e-mails" link in a playbook e-mail's footer.
    "account_mail_off": (PUBLIC_READ, PUBLIC_WRITE),
    "playbook_new": (ADMIN_READ, ADMIN_WRITE),
    "playbook_edit": (ADMIN_READ, ADMIN_WRITE),
    "playbook_delete": (POST_ONLY, ADMIN_WRITE),
    "playbook_preview": (ADMIN_READ, None),
}


def make_playbooks_world(world: World) -> dict[str, Any]:
    """A high-priority task on account A for its CSM, the built-in detractor playbook (made
    paused by the data migration), a run of it on account A with a step still waiting, and
    playbooks paused on account A (so that resuming has something to resume, and pausing
    again changes the note), a playbook e-mail, and a playbook made here that never ran."""
    task = CSMTaskFactory.create(
        account=world.account,
        assignee=world.csm,
        title="Call Dana about their NPS 3",
        priority=Priority.HIGH,
    )
    playbook = Playbook.objects.get(key="detractor-follow-up")
    run = PlaybookRunFactory.create(playbook=playbook, event__account=world.account)
    RunStepFactory.create(run=run, position=0, status=StepStatus.DONE, detail="task “Call”")
    RunStepFactory.create(run=run, position=1, delay_days=3)
    AccountPause.objects.create(account=world.account, paused_by=world.csm, note="Escalation")
    return {
        "task": task,
        "playbook": playbook,
        "run": run,
        "handover_to": world.admin,
        "email": EmailTemplateFactory.create(key="check-in", name="Check-in"),
        "mail_off_token": account_mail_off_url(world.member).rstrip("/").rsplit("/", 1)[-1],
        "made_here": PlaybookStepFactory.create(
            playbook=PlaybookFactory.create(name="Try-out", enabled=False)
        ).playbook,
    }


def playbooks_url_args(p: dict[str, Any], slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    task: CSMTask = p["task"]
    due = timezone.localdate().isoformat()
    return {
        "task_complete": ([task.pk], {}),
        "task_snooze": ([task.pk], {"days": "1"}),
        "task_reassign": ([task.pk], {"assignee": p["handover_to"].pk}),
        "task_note": ([task.pk], {"body": "Left a voicemail."}),
        "task_create": ([slug], {"title": "Check in", "assignee": task.account.owner_id, "due_on": due, "priority": "normal", "reason": ""}),
        "playbook_toggle": ([p["playbook"].pk], {"enabled": "1"}),
        "playbook_runs": ([slug], {}),
        "playbook_run": ([slug, p["run"].pk], {}),
        "playbooks_pause": ([slug], {"note": "Escalation call on Friday"}),
        "playbooks_resume": ([slug], {}),
        "email_template_create": ([], {"name": "Renewal is near", "subject": "{account} renews soon", "body": "Hello {first_name}"}),
        "email_template_edit": ([p["email"].pk], {"name": "Check-in", "subject": "How is it going, {first_name}?", "body": "Reply to {csm_name}."}),
        "email_template_preview": ([p["email"].pk], {}),
        "account_mail_off": ([p["mail_off_token"]], {}),
        "playbook_new": ([], EDITOR_POST),
        "playbook_edit": ([p["playbook"].pk], EDITOR_POST),
        "playbook_delete": ([p["made_here"].pk], {}),
        "playbook_preview": ([p["playbook"].pk], {}),
    }  # fmt: skip


# A whole, valid editor form: a new playbook, or the detractor one edited.
EDITOR_POST = {
    "name": "Detractor call",
    "description": "",
    "trigger": EventKind.NPS_DETRACTOR,
    "step_count": "1",
    "step-0-kind": "create_task",
    "step-0-delay_days": "0",
    "step-0-p-title": "Call {person}",
    "step-0-p-due_in_days": "2",
    "step-0-p-priority": "high",
    "action": "save",
}
