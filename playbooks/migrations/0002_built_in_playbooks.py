"""The built-in playbooks, paused: a CS admin enables them on the playbooks page.

The specs are copied here (not imported from services) so later edits there do not change
what this migration did.
"""

from typing import Any

from django.db import migrations

DETRACTOR_FOLLOW_UP: dict[str, Any] = {
    "key": "detractor-follow-up",
    "name": "Detractor follow-up",
    "description": "An NPS detractor (0–6) gets a call from their CSM within two days.",
    "trigger": "nps_detractor",
    "steps": [
        {
            "kind": "create_task",
            "delay_days": 0,
            "params": {
                "title": "Call {person} about their NPS {score}",
                "due_in_days": 2,
                "priority": "high",
                "reason": "{person} answered NPS {score}.",
            },
        }
    ],
}


def create(apps: Any, schema_editor: Any) -> None:
    Playbook = apps.get_model("playbooks", "Playbook")
    PlaybookStep = apps.get_model("playbooks", "PlaybookStep")
    spec = DETRACTOR_FOLLOW_UP
    if Playbook.objects.filter(key=spec["key"]).exists():
        return
    playbook = Playbook.objects.create(
        key=spec["key"],
        name=spec["name"],
        description=spec["description"],
        trigger=spec["trigger"],
        enabled=False,
    )
    for position, step in enumerate(spec["steps"]):
        PlaybookStep.objects.create(playbook=playbook, position=position, **step)


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("playbooks", "Playbook").objects.filter(key="detractor-follow-up").delete()


class Migration(migrations.Migration):
    dependencies = [("playbooks", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
