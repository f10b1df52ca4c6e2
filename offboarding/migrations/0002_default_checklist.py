"""The default offboarding checklist, which CS admins edit from there."""

from typing import Any

from django.db import migrations

STEPS = [
    ("Data export prepared and shared in the documents area", "vendor", ""),
    ("Data export downloaded and checked", "customer", ""),
    ("Access removed: log-ins, single sign-on, integrations and API keys", "vendor", ""),
    ("Exit survey answered", "customer", "exit_survey"),
    ("Final invoice sent", "vendor", ""),
]


def add_defaults(apps: Any, schema_editor: Any) -> None:
    StepTemplate = apps.get_model("offboarding", "StepTemplate")
    if not StepTemplate.objects.exists():
        StepTemplate.objects.bulk_create(
            [StepTemplate(title=t, side=s, kind=k, position=i) for i, (t, s, k) in enumerate(STEPS)]
        )


class Migration(migrations.Migration):
    dependencies = [("offboarding", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
