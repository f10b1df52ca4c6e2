"""Factories for form tasks (the questions of a template task and of a checklist's task, and
their answers), a template with a kick-off questionnaire, and the form tasks' rows of the URL x
role access matrix (tests/test_access_matrix.py)::

    EXPECTED.update(FORMS_EXPECTED)
    # in matrix_world:   ctx["forms"] = make_forms_world(world, checklist)
    # in url_and_data:   **forms_url_args(ctx["forms"], slug),
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from onboarding.models import (
    Checklist,
    FieldType,
    FormAnswer,
    Side,
    Task,
    TaskFormField,
    TaskKind,
    TemplateFormField,
    TemplateTask,
)
from tests.conftest import World
from tests.factories import UserFactory

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
VENDOR_READ = [L, 403, 403, 403, 404, 200, 404, 200]
# The champion answers; anyone of the account the task is assigned to too (the member, here); the
# executive reads; vendor staff read and export.
ANSWER_WRITE = [L, 302, 403, 302, 404, 403, 404, 403]
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
CONSOLE_WRITE = [L, 403, 403, 403, 403, 302, 302, 302]
POST_ONLY = [405] * 8

FORMS_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "onboarding_task_answer": (POST_ONLY, ANSWER_WRITE),
    "onboarding_task_answers_csv": (VENDOR_READ, None),
    "template_field_add": (POST_ONLY, CONSOLE_WRITE),
    "template_field_edit": (POST_ONLY, CONSOLE_WRITE),
    "template_field_move": (POST_ONLY, CONSOLE_WRITE),
    "template_field_delete": (POST_ONLY, CONSOLE_WRITE),
    "template_form_csv": (CONSOLE_READ, None),
}


class TemplateFormFieldFactory(factory.django.DjangoModelFactory[TemplateFormField]):
    class Meta:
        model = TemplateFormField

    label = factory.Sequence(lambda n: f"Question {n}")
    field_type = FieldType.TEXT
    required = True
    position = factory.Sequence(lambda n: n)


class TaskFormFieldFactory(factory.django.DjangoModelFactory[TaskFormField]):
    class Meta:
        model = TaskFormField

    label = factory.Sequence(lambda n: f"Question {n}")
    field_type = FieldType.TEXT
    required = True
    position = factory.Sequence(lambda n: n)


class FormAnswerFactory(factory.django.DjangoModelFactory[FormAnswer]):
    class Meta:
        model = FormAnswer

    value = "An answer"
    answered_by = factory.SubFactory(UserFactory)
    answered_at = factory.LazyFunction(timezone.now)


# The kick-off questionnaire every test uses: (label, type, required, options).
QUESTIONNAIRE: list[tuple[str, str, bool, str]] = [
    ("Main goal", FieldType.TEXT, True, ""),
    ("Team size", FieldType.CHOICE, True, "1-10\n11-50\n51+"),
    ("Go-live date", FieldType.DATE, True, ""),
    ("Seats", FieldType.NUMBER, False, ""),
    ("Anything else", FieldType.LONG_TEXT, False, ""),
]


def add_questionnaire(task: TemplateTask) -> list[TemplateFormField]:
    """Make ``task`` a form task with :data:`QUESTIONNAIRE`'s questions."""
    return [
        TemplateFormFieldFactory.create(
            task=task,
            label=label,
            field_type=kind,
            required=required,
            options=options,
            position=i,
        )
        for i, (label, kind, required, options) in enumerate(QUESTIONNAIRE)
    ]


def add_form_task(
    checklist: Checklist, *, assignee: Any = None, title: str = "Kick-off questionnaire"
) -> Task:
    """A form task on ``checklist``, as starting onboarding would copy it from a template
    task with :data:`QUESTIONNAIRE` (the template task is added to the checklist's template)."""
    phase = checklist.phases.order_by("position").first()
    assert phase is not None and checklist.template is not None
    template_phase = checklist.template.phases.order_by("position").first()
    assert template_phase is not None
    template_task = TemplateTask.objects.create(
        phase=template_phase, title=title, owner_side=Side.CUSTOMER, default_role="champion",
        position=99,
    )  # fmt: skip
    questions = add_questionnaire(template_task)
    task = Task.objects.create(
        checklist=checklist, phase=phase, title=title, owner_side=Side.CUSTOMER,
        kind=TaskKind.FORM, assignee=assignee, due_date=checklist.kickoff_date, position=99,
    )  # fmt: skip
    for question in questions:
        TaskFormFieldFactory.create(
            task=task, template_field=question, label=question.label,
            field_type=question.field_type, required=question.required,
            options=question.options, position=question.position,
        )  # fmt: skip
    return task


def good_answers(task: Task) -> dict[str, str]:
    """A POST answering every question of :data:`QUESTIONNAIRE` well."""
    values = {
        "Main goal": "Monthly reporting in one place",
        "Team size": "11-50",
        "Go-live date": "2026-04-01",
        "Seats": "25",
        "Anything else": "",
    }
    return {f"q{field.pk}": values[field.label] for field in task.form_fields.all()}


@dataclass
class FormsWorld:
    task: Task
    template_task: TemplateTask
    template_field: TemplateFormField


def make_forms_world(world: World, checklist: Checklist) -> FormsWorld:
    task = add_form_task(checklist, assignee=world.member)
    template_task = TemplateTask.objects.get(phase__template=checklist.template, position=99)
    return FormsWorld(
        task=task,
        template_task=template_task,
        template_field=template_task.form_fields.order_by("position").first(),  # type: ignore[arg-type]
    )


def forms_url_args(ctx: FormsWorld, slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    template_task, field = ctx.template_task, ctx.template_field
    template_pk = template_task.phase.template_id
    new_field = {"label": "Budget owner", "field_type": "text", "required": "on"}
    return {
        "onboarding_task_answer": ([slug, ctx.task.pk], good_answers(ctx.task)),
        "onboarding_task_answers_csv": ([slug, ctx.task.pk], {}),
        "template_field_add": ([template_pk, template_task.pk], new_field),
        "template_field_edit": ([template_pk, template_task.pk, field.pk], new_field),
        "template_field_move": ([template_pk, template_task.pk, field.pk], {"direction": "down"}),
        "template_field_delete": ([template_pk, template_task.pk, field.pk], {}),
        "template_form_csv": ([template_pk], {}),
    }
