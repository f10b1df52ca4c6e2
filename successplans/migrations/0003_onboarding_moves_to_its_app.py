# Onboarding moved to its own app, onboarding. Its models leave this app's state only: the
# tables stay where they are (onboarding's models keep their names with db_table) and
# onboarding.0001_initial takes them over, also in state only. No row is touched.

from django.db import migrations

# Children first, so no model left in the state points at one already removed.
ONBOARDING_MODELS = [
    "TaskComment",
    "Task",
    "ChecklistPhase",
    "Checklist",
    "TemplateTask",
    "TemplatePhase",
    "ChecklistTemplate",
    "ReminderSent",
]


class Migration(migrations.Migration):

    dependencies = [
        ('successplans', '0002_success_plans'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in ONBOARDING_MODELS],
            database_operations=[],
        ),
    ]
