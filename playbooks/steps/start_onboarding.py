"""Start the account's onboarding from a checklist template, kicking off today, in the owner
CSM's name (a checklist records who started it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from onboarding.models import Checklist, ChecklistTemplate
from onboarding.services import start_onboarding

from ..models import EventKind, StepKind
from ..params import ParamField
from . import Outcome, StepContext, StepKindSpec, register

# The template edited last among the active ones: what a built-in playbook names, since it
# cannot know the portal's own templates.
NEWEST = "newest"


def template_choices() -> list[tuple[str, str]]:
    return [
        (NEWEST, "The newest active template"),
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
        return Outcome.skipped("there is no active checklist template to start from")
    existing = _existing(account)
    if existing is not None:
        state = "finished" if existing.completed_at else "under way"
        return Outcome.skipped(f"onboarding “{existing.template_name}” is {state} already")
    if account.owner is None:
        return Outcome.skipped("the account has no owner CSM to start the onboarding")
    try:
        checklist = start_onboarding(
            account, template=template, kickoff_date=timezone.localdate(), acting_user=account.owner
        )
    except ValidationError as refusal:
        return Outcome.skipped(" ".join(refusal.messages))
    return Outcome.done(
        f"started onboarding “{checklist.template_name}” ({checklist.tasks.count()} tasks)"
    )


def describe(params: dict[str, Any], account: Account) -> str:
    template = _template(params)
    name = template.name if template else "?"
    existing = _existing(account)
    if existing is not None:
        return f"start onboarding “{name}” (skipped: “{existing.template_name}” already started)"
    if account.owner is None:
        return f"start onboarding “{name}” (skipped: no owner CSM)"
    return f"start onboarding “{name}”, kicking off today, for {account.owner.display_name}"


def validate(params: dict[str, Any]) -> list[str]:
    template = _template(params)
    if template is None and params.get("template") == NEWEST:
        return []  # none yet: the step is skipped until one exists
    if template is None:
        return ["The checklist template does not exist."]
    if template.archived_at is not None:
        return [f"The checklist template “{template.name}” is archived."]
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
