"""The default renewal checklist and churn reasons, which CS admins edit from there."""

from typing import Any

from django.db import migrations

STEPS = [
    ("Renewal kick-off call", "vendor"),
    ("Usage and value review shared", "vendor"),
    ("Security review", "customer"),
    ("Budget approved", "customer"),
    ("Renewal quote sent", "vendor"),
    ("Order form signed", "customer"),
]
REASONS = [
    "Budget cut",
    "Chose a competitor",
    "Product gaps",
    "Low adoption",
    "Champion left",
    "Company acquired or closed",
    "Price",
    "Support experience",
]


def add_defaults(apps: Any, schema_editor: Any) -> None:
    StepTemplate = apps.get_model("renewals", "StepTemplate")
    ChurnReason = apps.get_model("renewals", "ChurnReason")
    if not StepTemplate.objects.exists():
        StepTemplate.objects.bulk_create(
            [StepTemplate(title=t, side=s, position=i) for i, (t, s) in enumerate(STEPS)]
        )
    if not ChurnReason.objects.exists():
        ChurnReason.objects.bulk_create([ChurnReason(name=name) for name in REASONS])


class Migration(migrations.Migration):
    dependencies = [("renewals", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
