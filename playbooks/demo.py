"""Demo playbooks and tasks: the detractor follow-up enabled and fired once on Acme (a
detractor's answer in the survey demo), and a couple of tasks made by hand on Priya's
accounts, one of them overdue, so Today has something in each section."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Account

from .models import CSMTask, Event, EventKind, Playbook, Priority, TaskNote
from .services.emails import ensure_built_in_email_templates
from .services.events import record_event
from .services.playbooks import ensure_built_in_playbooks
from .services.runs import evaluate_event

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
    Playbook.objects.filter(key="detractor-follow-up", enabled=False).update(enabled=True)
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
    created += _fire_on_demo_detractors()
    return created


def _fire_on_demo_detractors() -> int:
    """The survey demo's detractors, as if the playbook had been on when they answered."""
    from surveys.models import Kind, Response

    fired = 0
    for response in Response.objects.filter(kind=Kind.NPS, score__lte=6).order_by("pk")[:2]:
        source = f"response:{response.pk}"
        if Event.objects.filter(kind=EventKind.NPS_DETRACTOR, source=source).exists():
            continue
        event = record_event(
            EventKind.NPS_DETRACTOR,
            account_id=response.account_id,
            source=source,
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
