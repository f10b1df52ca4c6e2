"""Enabling, pausing and (later) editing playbooks; the built-in templates."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.activity import record
from accounts.models import User

from ..models import EventKind, Playbook, PlaybookStep, Priority, StepKind


@transaction.atomic
def set_playbook_enabled(playbook: Playbook, enabled: bool, *, acting_user: User) -> Playbook:
    if playbook.enabled != enabled:
        playbook.enabled = enabled
        playbook.save(update_fields=["enabled", "updated_at"])
        record(
            "enabled a playbook" if enabled else "paused a playbook",
            actor=acting_user,
            target=playbook,
            internal=True,
        )
    return playbook


DETRACTOR_FOLLOW_UP: dict[str, Any] = {
    "key": "detractor-follow-up",
    "name": "Detractor follow-up",
    "description": "An NPS detractor (0–6) gets a call from their CSM within two days.",
    "trigger": EventKind.NPS_DETRACTOR,
    "steps": [
        {
            "kind": StepKind.CREATE_TASK,
            "delay_days": 0,
            "params": {
                "title": "Call {person} about their NPS {score}",
                "due_in_days": 2,
                "priority": Priority.HIGH,
                "reason": "{person} answered NPS {score}.",
            },
        }
    ],
}
BUILT_IN = [DETRACTOR_FOLLOW_UP]


def ensure_built_in_playbooks() -> int:
    """Create the built-in playbooks that are missing (paused); returns how many."""
    created = 0
    for spec in BUILT_IN:
        if Playbook.objects.filter(key=spec["key"]).exists():
            continue
        playbook = Playbook.objects.create(
            key=spec["key"],
            name=spec["name"],
            description=spec["description"],
            trigger=spec["trigger"],
        )
        for position, step in enumerate(spec["steps"]):
            PlaybookStep.objects.create(playbook=playbook, position=position, **step)
        created += 1
    return created
