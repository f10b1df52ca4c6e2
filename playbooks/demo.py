"""Demo playbooks and tasks: the built-in playbooks enabled (all but the 120- and 90-day
renewal plays, which a CS admin turns on from the playbooks page), the detractor follow-up
fired on the survey demo's detractors, the daily scan run once (Initech renews in 45 days and
nobody there has logged in for weeks), a few tasks made by hand, one of them overdue, so
Today and the accounts' timelines have something in each section, and a line in each owner
CSM's inbox for the plays that started on their accounts (Today's account updates)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Notification, NotificationKind

from .models import CSMTask, EventKind, Playbook, PlaybookRun, Priority, TaskNote
from .services.emails import ensure_built_in_email_templates
from .services.events import record_event
from .services.notices import notify
from .services.playbooks import ensure_built_in_playbooks
from .services.runs import evaluate_event
from .services.scan import scan

# Left paused in the demo: with Initech 45 days from its renewal, they would all fire at once.
PAUSED = ["renewal-120", "renewal-90"]

HAND_MADE = [
    # (account slug, title, due in days, priority, reason)
    ("acme", "Prepare the go-live check-in", -1, Priority.NORMAL, "Go-live is next week; Dana asked for a run-through of the reports."),
    ("globex", "Send the renewal proposal", 0, Priority.HIGH, "Renewal in under five months; Victor wants numbers before the budget round."),
    ("globex", "Share the adoption playbook with Jo", 5, Priority.LOW, "Jo joined last month and has not logged in since."),
    ("initech", "Book the quarterly business review", -2, Priority.NORMAL, "Last review was in the spring; Raj wants the usage trend."),
]  # fmt: skip

# A line the CSM already wrote under a task, so Today shows what notes look like.
NOTES = {
    "Prepare the go-live check-in": "Dana is out until Wednesday; asked her PA for a slot on Thursday."
}


def ensure_demo_playbooks() -> int:
    created = ensure_built_in_playbooks()
    created += ensure_built_in_email_templates()
    today = timezone.localdate()
    for slug, title, due_in, priority, reason in HAND_MADE:
        account = Account.objects.filter(slug=slug).select_related("owner").first()
        if account is None or account.owner is None:
            continue
        if CSMTask.objects.filter(account=account, title=title).exists():
            continue
        task = CSMTask.objects.create(
            account=account,
            assignee=account.owner,
            title=title,
            due_on=today + timedelta(days=due_in),
            priority=priority,
            reason=reason,
            created_by=account.owner,
        )
        if title in NOTES:
            TaskNote.objects.create(task=task, author=account.owner, body=NOTES[title])
        created += 1
    # The demo data's own events (years of survey answers, contracts booked long ago) are
    # recorded by their jobs when the demo commits, with the playbooks still paused; only then
    # are they enabled, the detractors' events fired, and the daily scan run.
    transaction.on_commit(_enable_and_fire)
    return created


def _enable_and_fire() -> None:
    Playbook.objects.exclude(key="").exclude(key__in=PAUSED).update(enabled=True)
    _fire_on_demo_detractors()
    scan()
    _tell_the_owners()


def _tell_the_owners() -> int:
    """What a "notify the owner" step would say of each play that started: the owner CSM's
    inbox has it, and Today shows it until they read it. Once: a second load adds none."""
    told = 0
    for run in PlaybookRun.objects.select_related("playbook", "account__owner").order_by("pk"):
        why = run.reason.split(": ", 1)[-1]
        text = f"“{run.playbook.name}” started on {run.account.name} ({why})."
        if Notification.objects.filter(kind=NotificationKind.ACCOUNT, title=text).exists():
            continue
        told += len(notify(run.account, text=text, run=run))
    return told


def _fire_on_demo_detractors() -> int:
    """The survey demo's detractors, as if the playbook had been on when they answered."""
    from surveys.models import Kind, Response

    fired = 0
    for response in Response.objects.filter(kind=Kind.NPS, score__lte=6).order_by("pk")[:2]:
        event = record_event(
            EventKind.NPS_DETRACTOR,
            account_id=response.account_id,
            source=f"response:{response.pk}",
            data={
                "response_id": response.pk,
                "survey_kind": response.kind,
                "score": response.score,
                "user_id": response.user_id,
            },
            occurred_at=response.answered_at.isoformat(),
        )
        if event is not None:
            fired += len(evaluate_event(event))
    return fired
