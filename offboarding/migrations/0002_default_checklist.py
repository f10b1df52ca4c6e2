"""The default offboarding checklist, which CS admins edit from there. Its titles are stored
rows, written once in the site's language (``LANGUAGE_CODE``) from the catalogue, which holds
them (``gettext_noop``)."""

from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext_noop

STEPS = [
    (gettext_noop("Data export prepared and shared in the documents area"), "vendor", ""),
    (gettext_noop("Data export downloaded and checked"), "customer", ""),
    (
        gettext_noop("Access removed: log-ins, single sign-on, integrations and API keys"),
        "vendor",
        "",
    ),
    (gettext_noop("Exit survey answered"), "customer", "exit_survey"),
    (gettext_noop("Final invoice sent"), "vendor", ""),
]


def add_defaults(apps: Any, schema_editor: Any) -> None:
    StepTemplate = apps.get_model("offboarding", "StepTemplate")
    if not StepTemplate.objects.exists():
        with translation.override(settings.LANGUAGE_CODE):
            StepTemplate.objects.bulk_create(
                [
                    StepTemplate(title=translation.gettext(t), side=s, kind=k, position=i)
                    for i, (t, s, k) in enumerate(STEPS)
                ]
            )


class Migration(migrations.Migration):
    dependencies = [("offboarding", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
