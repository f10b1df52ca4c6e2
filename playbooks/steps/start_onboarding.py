"""Start the account's onboarding from a checklist template, kicking off today, in the owner
CSM's name (a checklist records who started it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from onboarding.models import Checklist, ChecklistTemplate
from onboarding.services import start_onboarding

from ..models import EventKind, StepKind
from ..params import ParamField
from ..words import say_plural
from . import Outcome, StepContext, StepKindSpec, register

# The template edited last among the active ones: what a built-in playbook names, since it
# cannot know the portal's own templates.
NEWEST = "newest"


def template_choices() -> list[tuple[str, str]]:
    return [
        (NEWEST, gettext("The newest active template")),
        *(
            (str(pk), name)
            for pk, name in ChecklistTemplate.objects.active()
            .order_by("name")
            .values_list("pk", "name")
        ),
    ]


FIELDS = [
    ParamField("template", _("Checklist template"), kind="choice", choices=template_choices),
]  # fmt: skip


def _template(params: dict[str, Any]) -> ChecklistTemplate | None:
    if params.get("template") == NEWEST:
        return ChecklistTemplate.objects.active().order_by("-updated_at", "-pk").first()
    try:
        pk = int(params.get("template") or 0)
    except (TypeError, ValueError):
        return None
    return ChecklistTemplate.objects.filter(pk=pk).first()


def _existing(account: Account) -> Checklist | None:
    return Checklist.objects.filter(account=account).first()


def run(context: StepContext) -> Outcome:
    account = context.account
    template = _template(context.params)
    if template is None or template.archived_at is not None:
        return Outcome.skipped(gettext_noop("there is no active checklist template to start from"))
    existing = _existing(account)
    if existing is not None:
        if existing.completed_at:
            return Outcome.skipped(
                gettext_noop("onboarding “%(checklist)s” is finished already"),
                checklist=existing.template_name,
            )
        return Outcome.skipped(
            gettext_noop("onboarding “%(checklist)s” is under way already"),
            checklist=existing.template_name,
        )
    if account.owner is None:
        return Outcome.skipped(gettext_noop("the account has no owner CSM to start the onboarding"))
    try:
        checklist = start_onboarding(
            account, template=template, kickoff_date=timezone.localdate(), acting_user=account.owner
        )
    except ValidationError as refusal:
        return Outcome.skipped(" ".join(refusal.messages))
    return Outcome.done(
        say_plural("started_onboarding", checklist.tasks.count(), checklist=checklist.template_name)
    )


def describe(params: dict[str, Any], account: Account) -> str:
    template = _template(params)
    name = template.name if template else "?"
    existing = _existing(account)
    if existing is not None:
        return gettext(
            "start onboarding “%(template)s” (skipped: “%(checklist)s” already started)"
        ) % {"template": name, "checklist": existing.template_name}
    if account.owner is None:
        return gettext("start onboarding “%(template)s” (skipped: no owner CSM)") % {
            "template": name
        }
    return gettext("start onboarding “%(template)s”, kicking off today, for %(owner)s") % {
        "template": name,
        "owner": account.owner.display_name,
    }


def validate(params: dict[str, Any]) -> list[str]:
    template = _template(params)
    if template is None and params.get("template") == NEWEST:
        return []  # none yet: the step is skipped until one exists
    if template is None:
        return [gettext("The checklist template does not exist.")]
    if template.archived_at is not None:
        return [
            gettext("The checklist template “%(template)s” is archived.")
            % {"template": template.name}
        ]
    return []


register(
    StepKindSpec(
        StepKind.START_ONBOARDING,
        FIELDS,
        run,
        describe,
        validate,
        raises=frozenset({EventKind.ONBOARDING_STARTED}),
    )
)
