"""Form tasks: questions defined in the template, copied to each checklist, answered by the
customer (which completes the task), shown on the task and exported as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity
from onboarding import services
from onboarding.models import (
    Checklist,
    FieldType,
    FormAnswer,
    Task,
    TaskFormField,
    TaskKind,
    TemplateFormField,
    TemplateTask,
)
from portal.csv_export import safe_cell
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory
from tests.forms_factories import (
    QUESTIONNAIRE,
    FormAnswerFactory,
    add_form_task,
    add_questionnaire,
    good_answers,
)
from tests.onboarding_helpers import NOW, make_template, onboarding_state, start

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def forms_state() -> list[Any]:
    """Every onboarding row, the form rows included: what a refusal must leave as it was."""
    models: list[Any] = [TemplateFormField, TaskFormField, FormAnswer]
    return onboarding_state() + [list(m.objects.order_by("pk").values()) for m in models]


@pytest.fixture
def checklist(world: World) -> Checklist:
    return start(world)


@pytest.fixture
def form_task(world: World, checklist: Checklist) -> Task:
    """Acme's kick-off questionnaire, assigned to the member."""
    return add_form_task(checklist, assignee=world.member)


def answer_url(task: Task) -> str:
    return reverse("onboarding_task_answer", args=[task.checklist.account.slug, task.pk])


def field(task: Task, label: str) -> TaskFormField:
    return task.form_fields.get(label=label)


def rows_of(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# The template editor ---------------------------------------------------------------------------


@pytest.fixture
def template_task(world: World) -> TemplateTask:
    template = make_template(world.csm)
    return TemplateTask.objects.get(phase__template=template, title="Share your goals")


def field_url(name: str, task: TemplateTask, *more: int) -> str:
    return reverse(name, args=[task.phase.template_id, task.pk, *more])


def test_a_csm_adds_a_question_in_place_and_the_task_becomes_a_form(
    world: World, template_task: TemplateTask
) -> None:
    response = client_for(world.csm).post(
        field_url("template_field_add", template_task),
        {"label": " Team size ", "field_type": "choice", "required": "on",
         "options": "1-10\n\n 11-50 \n51+", "help_text": "Who will use it."},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    question = template_task.form_fields.get()
    assert (question.label, question.field_type, question.required) == ("Team size", "choice", True)
    assert question.option_list == ["1-10", "11-50", "51+"]
    content = response.content.decode()
    assert content.lstrip().startswith('<section class="card" id="form-fields"')  # the part only
    assert "Team size" in content and "1-10 · 11-50 · 51+" in content
    entry = Activity.objects.get(verb="added a form field")
    assert entry.internal and entry.actor == world.csm
    assert (entry.after or {})["label"] == "Team size"


def test_without_htmx_adding_a_question_goes_back_to_the_task_page(
    world: World, template_task: TemplateTask
) -> None:
    response = client_for(world.csm).post(
        field_url("template_field_add", template_task),
        {"label": "Go-live date", "field_type": "date"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/tasks/{template_task.pk}/#form-fields")
    page = client_for(world.csm).get(response["Location"])
    assert b"Go-live date" in page.content
    assert not template_task.form_fields.get().required  # an unticked box is "optional"


def test_a_question_is_edited_moved_and_removed(world: World, template_task: TemplateTask) -> None:
    first, second = add_questionnaire(template_task)[:2]
    csm = client_for(world.csm)
    response = csm.post(
        field_url("template_field_edit", template_task, first.pk),
        {"label": "Your main goal", "field_type": "long_text", "options": "ignored"},
        headers=HTMX,
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert (first.label, first.field_type, first.required, first.options) == (
        "Your main goal", "long_text", False, "",
    )  # fmt: skip
    assert (Activity.objects.get(verb="edited a form field").before or {})["label"] == "Main goal"

    response = csm.post(
        field_url("template_field_move", template_task, first.pk), {"direction": "down"},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    assert list(template_task.form_fields.values_list("pk", flat=True))[:2] == [second.pk, first.pk]
    assert Activity.objects.filter(verb="moved a form field down").count() == 1

    response = csm.post(field_url("template_field_delete", template_task, first.pk), headers=HTMX)
    assert response.status_code == 200
    assert not TemplateFormField.objects.filter(pk=first.pk).exists()
    assert (
        "Your main goal"
        in (Activity.objects.get(verb="removed a form field").before or {})["label"]
    )


def test_moving_the_last_question_down_changes_nothing(
    world: World, template_task: TemplateTask
) -> None:
    last = add_questionnaire(template_task)[-1]
    before = list(TemplateFormField.objects.order_by("pk").values())
    response = client_for(world.csm).post(
        field_url("template_field_move", template_task, last.pk), {"direction": "down"},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    assert list(TemplateFormField.objects.order_by("pk").values()) == before
    assert not Activity.objects.filter(verb__startswith="moved a form field").exists()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"label": "Signature", "field_type": "signature"}, "Choose an answer type from the list."),
        ({"label": "Team size", "field_type": "choice", "options": " \n "}, "A choice needs options"),
        ({"label": "Team size", "field_type": "choice", "options": "A\nA"}, "Each option is written once."),
        ({"label": "   ", "field_type": "text"}, "Give the question a label."),
        ({"label": "x" * 201, "field_type": "text"}, "at most 200 characters"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("htmx", [True, False])
def test_a_bad_question_is_refused_with_a_message_and_nothing_changes(
    world: World, template_task: TemplateTask, data: dict[str, str], message: str, htmx: bool
) -> None:
    add_questionnaire(template_task)
    before = forms_state()
    response = client_for(world.csm).post(
        field_url("template_field_add", template_task), data, headers=HTMX if htmx else {}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert forms_state() == before
    if data["label"].strip() and len(data["label"]) < 200:
        assert data["label"] in response.content.decode()  # what was typed is kept


def test_a_bad_edit_keeps_the_saved_question(world: World, template_task: TemplateTask) -> None:
    question = add_questionnaire(template_task)[1]  # Team size, a choice
    before = forms_state()
    response = client_for(world.csm).post(
        field_url("template_field_edit", template_task, question.pk),
        {"label": "Team size", "field_type": "choice", "options": ""},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "A choice needs options" in response.content.decode()
    assert forms_state() == before
    question.refresh_from_db()
    assert question.option_list == ["1-10", "11-50", "51+"]


def test_a_question_of_another_template_is_not_found(
    world: World, template_task: TemplateTask
) -> None:
    other = make_template(world.csm)
    other_task = TemplateTask.objects.filter(phase__template=other).first()
    assert other_task is not None
    foreign = add_questionnaire(other_task)[0]
    before = forms_state()
    for name in ("template_field_edit", "template_field_move", "template_field_delete"):
        response = client_for(world.csm).post(
            field_url(name, template_task, foreign.pk),
            {"label": "Hijacked", "field_type": "text", "direction": "down"},
        )
        assert response.status_code == 404
    assert forms_state() == before


def test_the_service_refuses_a_field_type_that_does_not_exist(
    world: World, template_task: TemplateTask
) -> None:
    with pytest.raises(ValidationError) as error:
        services.add_template_form_field(
            template_task,
            fields={"label": "Sign", "field_type": "signature"},
            acting_user=world.csm,
        )
    assert "field_type" in error.value.message_dict
    assert not TemplateFormField.objects.exists()


def test_a_bad_move_direction_is_refused(world: World, template_task: TemplateTask) -> None:
    question = add_questionnaire(template_task)[0]
    before = forms_state()
    response = client_for(world.csm).post(
        field_url("template_field_move", template_task, question.pk),
        {"direction": "sideways"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#notice"
    assert forms_state() == before


# Copied onto the checklist -------------------------------------------------------------------


def test_starting_onboarding_copies_the_questions_and_makes_a_form_task(world: World) -> None:
    template = make_template(world.csm)
    template_task = TemplateTask.objects.get(phase__template=template, title="Share your goals")
    questions = add_questionnaire(template_task)
    checklist = services.start_onboarding(
        world.account, template=template, kickoff_date=NOW.date(), acting_user=world.csm
    )
    task = checklist.tasks.get(title="Share your goals")
    assert task.kind == TaskKind.FORM
    copied = list(task.form_fields.all())
    assert [
        (f.label, f.field_type, f.required, f.options, f.template_field_id) for f in copied
    ] == [(q.label, q.field_type, q.required, q.options, q.pk) for q in questions]
    assert checklist.tasks.get(title="Kickoff call").kind == TaskKind.TICK

    # Later edits of the template do not reach the checklist.
    services.update_template_form_field(
        questions[0], fields={"label": "Changed", "field_type": "text"}, acting_user=world.csm
    )
    services.delete_template_form_field(questions[1], acting_user=world.csm)
    assert [f.label for f in task.form_fields.all()] == [q[0] for q in QUESTIONNAIRE]
    assert task.form_fields.get(label="Team size").template_field_id is None


def test_copying_a_template_copies_its_questions(world: World) -> None:
    template = make_template(world.csm)
    template_task = TemplateTask.objects.get(phase__template=template, title="Share your goals")
    add_questionnaire(template_task)
    copy = services.copy_template(template, acting_user=world.csm)
    copied_task = TemplateTask.objects.get(phase__template=copy, title="Share your goals")
    assert [(f.label, f.field_type, f.options) for f in copied_task.form_fields.all()] == [
        (label, kind, options) for label, kind, _, options in QUESTIONNAIRE
    ]
    assert TemplateFormField.objects.count() == 2 * len(QUESTIONNAIRE)


# Answering -----------------------------------------------------------------------------------


def test_the_champion_answers_the_form_and_the_task_completes(
    world: World, form_task: Task
) -> None:
    response = client_for(world.champion).post(answer_url(form_task), good_answers(form_task))
    assert response.status_code == 302
    assert response["Location"].endswith("#form")
    form_task.refresh_from_db()
    assert form_task.is_done and form_task.completed_by == world.champion
    answers = {a.field.label: a.value for a in FormAnswer.objects.select_related("field")}
    assert answers == {
        "Main goal": "Monthly reporting in one place",
        "Team size": "11-50",
        "Go-live date": "2026-04-01",
        "Seats": "25",
    }
    assert all(a.answered_by == world.champion for a in FormAnswer.objects.all())
    answered = Activity.objects.get(verb="answered a form")
    assert answered.account == world.account and (answered.after or {})["Seats"] == "25"
    assert Activity.objects.filter(verb="completed a task", actor=world.champion).count() == 1


def test_the_assigned_member_answers_with_htmx(world: World, form_task: Task) -> None:
    response = client_for(world.member).post(
        answer_url(form_task), good_answers(form_task), headers=HTMX
    )
    assert response.status_code == 204
    assert response["HX-Location"].endswith(f"/tasks/{form_task.pk}/#form")
    form_task.refresh_from_db()
    assert form_task.completed_by == world.member


def test_a_number_is_kept_as_written_without_trailing_zeros(world: World, form_task: Task) -> None:
    data = good_answers(form_task) | {f"q{field(form_task, 'Seats').pk}": "12.50"}
    client_for(world.champion).post(answer_url(form_task), data)
    assert FormAnswer.objects.get(field__label="Seats").value == "12.5"


@pytest.mark.parametrize(
    "label,value,message",
    [
        ("Go-live date", "31/02/2026", "Give a date, such as 2026-03-10."),
        ("Go-live date", "2026-02-31", "Give a date, such as 2026-03-10."),
        ("Seats", "lots", "Give a number, such as 12 or 4.5."),
        ("Seats", "NaN", "Give a number, such as 12 or 4.5."),
        ("Team size", "5000+", "Choose one of the options."),
        ("Main goal", "", "Answer this question."),
        ("Main goal", "x" * 501, "at most 500 characters"),
    ],
)
def test_a_wrong_answer_is_refused_and_what_was_typed_is_kept(
    world: World, form_task: Task, label: str, value: str, message: str
) -> None:
    # An answer saved before is not lost either.
    FormAnswerFactory.create(field=field(form_task, "Anything else"), value="Saved before")
    before = forms_state()
    data = good_answers(form_task) | {f"q{field(form_task, label).pk}": value}
    data[f"q{field(form_task, 'Anything else').pk}"] = "Typed now"
    response = client_for(world.champion).post(answer_url(form_task), data, headers=HTMX)
    assert response.status_code == 422
    content = response.content.decode()
    assert message in content
    assert content.lstrip().startswith('<section class="card task-form" id="form"')
    assert "Typed now" in content
    if label != "Main goal":
        assert "Monthly reporting in one place" in content
    assert forms_state() == before
    assert FormAnswer.objects.get().value == "Saved before"
    form_task.refresh_from_db()
    assert not form_task.is_done


def test_a_crafted_choice_is_refused_by_the_service_too(world: World, form_task: Task) -> None:
    answers = {f.pk: v for f, v in zip(form_task.form_fields.all(), ["Goal", "999", "2026-04-01", "", ""], strict=True)}  # fmt: skip
    with pytest.raises(ValidationError, match="choose one of the options"):
        services.answer_form(form_task, answers=answers, acting_user=world.champion)
    assert not FormAnswer.objects.exists()


def test_answers_edited_later_keep_the_task_done_and_are_recorded(
    world: World, form_task: Task
) -> None:
    champion = client_for(world.champion)
    champion.post(answer_url(form_task), good_answers(form_task))
    form_task.refresh_from_db()
    done_at = form_task.completed_at
    data = good_answers(form_task) | {f"q{field(form_task, 'Seats').pk}": "40"}
    data[f"q{field(form_task, 'Anything else').pk}"] = "=HYPERLINK(1)"
    response = champion.post(answer_url(form_task), data)
    assert response.status_code == 302
    form_task.refresh_from_db()
    assert form_task.completed_at == done_at
    edit = Activity.objects.get(verb="edited a form's answers")
    assert edit.before == {"Seats": "25", "Anything else": ""}
    assert edit.after == {"Seats": "40", "Anything else": "=HYPERLINK(1)"}
    assert Activity.objects.filter(verb="completed a task").count() == 1

    # Clearing an optional answer removes it; a required one stays required.
    data[f"q{field(form_task, 'Seats').pk}"] = ""
    champion.post(answer_url(form_task), data)
    assert not FormAnswer.objects.filter(field__label="Seats").exists()
    data[f"q{field(form_task, 'Main goal').pk}"] = ""
    assert champion.post(answer_url(form_task), data).status_code == 422


def test_answering_everything_but_optional_questions_completes_the_task(
    world: World, form_task: Task
) -> None:
    data = good_answers(form_task) | {f"q{field(form_task, 'Seats').pk}": ""}
    client_for(world.champion).post(answer_url(form_task), data)
    form_task.refresh_from_db()
    assert form_task.is_done


@pytest.mark.parametrize("persona,status", [("executive", 403), ("csm", 403), ("admin", 403)])
def test_those_who_do_not_answer_are_refused_and_nothing_changes(
    world: World, form_task: Task, persona: str, status: int
) -> None:
    before = forms_state()
    response = client_for(world.persona(persona)).post(
        answer_url(form_task), good_answers(form_task)
    )
    assert response.status_code == status
    assert forms_state() == before


def test_an_executive_answers_a_form_assigned_to_them(world: World, form_task: Task) -> None:
    Task.objects.filter(pk=form_task.pk).update(assignee=world.executive)
    response = client_for(world.executive).post(answer_url(form_task), good_answers(form_task))
    assert response.status_code == 302
    form_task.refresh_from_db()
    assert form_task.completed_by == world.executive


def test_a_member_the_form_is_not_assigned_to_is_refused(world: World, form_task: Task) -> None:
    Task.objects.filter(pk=form_task.pk).update(assignee=world.champion)
    before = forms_state()
    response = client_for(world.member).post(answer_url(form_task), good_answers(form_task))
    assert response.status_code == 403
    assert forms_state() == before
    htmx = client_for(world.member).post(
        answer_url(form_task), good_answers(form_task), headers=HTMX
    )
    assert htmx.status_code == 422 and htmx["HX-Retarget"] == "#notice"
    assert forms_state() == before


def test_a_customer_cannot_tick_a_form_task_by_hand(world: World, form_task: Task) -> None:
    before = forms_state()
    url = reverse("onboarding_task_done", args=[world.account.slug, form_task.pk])
    response = client_for(world.champion).post(url, {"done": "1"})
    assert response.status_code == 403
    assert forms_state() == before


def test_a_task_without_a_form_takes_no_answers(world: World, checklist: Checklist) -> None:
    task = checklist.tasks.get(title="Share your goals")
    before = forms_state()
    response = client_for(world.champion).post(answer_url(task), {"q1": "x"})
    assert response.status_code == 403
    assert forms_state() == before
    csv_url = reverse("onboarding_task_answers_csv", args=[world.account.slug, task.pk])
    assert client_for(world.csm).get(csv_url).status_code == 404


# Shown on the task ---------------------------------------------------------------------------


def task_page(persona: Any, task: Task) -> str:
    return client_for(persona).get(task.get_absolute_url()).content.decode()


def test_the_champion_sees_the_form_to_fill(world: World, form_task: Task) -> None:
    page = task_page(world.champion, form_task)
    assert "Submit answers" in page
    assert 'type="date"' in page and 'type="radio"' in page and "11-50" in page
    assert "Mark as done" not in page  # a form task completes by its answers
    assert "Download the answers" not in page


def test_the_csm_and_the_executive_see_the_answers(world: World, form_task: Task) -> None:
    client_for(world.champion).post(answer_url(form_task), good_answers(form_task))
    for persona in (world.csm, world.executive):
        page = task_page(persona, form_task)
        assert "Submit answers" not in page
        assert "Monthly reporting in one place" in page
        assert "1 Apr 2026" in page  # a date as people read it
        assert world.champion.display_name in page
    assert "Download the answers (CSV)" in task_page(world.csm, form_task)
    assert "Download the answers (CSV)" not in task_page(world.executive, form_task)


def test_an_unanswered_form_says_so_to_the_csm(world: World, form_task: Task) -> None:
    page = task_page(world.csm, form_task)
    assert page.count("Not answered yet") == len(QUESTIONNAIRE)
    assert "0 of 3 required answered" in page


# CSV -----------------------------------------------------------------------------------------


def test_the_task_csv_has_a_row_a_question_with_formulas_defused(
    world: World, form_task: Task
) -> None:
    data = good_answers(form_task) | {f"q{field(form_task, 'Main goal').pk}": "=1+2", f"q{field(form_task, 'Anything else').pk}": "@SUM(A1)"}  # fmt: skip
    client_for(world.champion).post(answer_url(form_task), data)
    response = client_for(world.csm).get(
        reverse("onboarding_task_answers_csv", args=[world.account.slug, form_task.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == [
        "Account",
        "Task",
        "Question",
        "Type",
        "Answer",
        "Answered by",
        "Answered at",
    ]
    assert [r[2] for r in rows[1:]] == [q[0] for q in QUESTIONNAIRE]
    by_question = {r[2]: r for r in rows[1:]}
    assert by_question["Main goal"][4] == "'=1+2"
    assert by_question["Anything else"][4] == "'@SUM(A1)"
    assert by_question["Go-live date"][3:6] == ["Date", "2026-04-01", world.champion.display_name]
    assert by_question["Seats"][0] == world.account.name


@pytest.mark.parametrize("value", ["=cmd", "+1", "-1", "@x", "\tx", "\rx"])
def test_every_formula_start_is_defused(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert safe_cell("plain") == "plain" and safe_cell(None) == ""


def test_the_template_csv_has_a_row_an_account_the_viewer_may_see(
    world: World, form_task: Task
) -> None:
    template = form_task.checklist.template
    assert template is not None
    client_for(world.champion).post(answer_url(form_task), good_answers(form_task))
    # The other account, owned by the other CSM, onboarding from the same template.
    other = services.start_onboarding(
        world.other_account, template=template, kickoff_date=NOW.date(), acting_user=world.admin
    )
    other_task = other.tasks.get(title="Kick-off questionnaire")
    services.answer_form(
        other_task,
        answers={f.pk: {"Main goal": "=evil()", "Team size": "51+", "Go-live date": "2026-05-01"}.get(f.label, "") for f in other_task.form_fields.all()},
        acting_user=world.other_champion,
    )  # fmt: skip
    url = reverse("template_form_csv", args=[template.pk])

    admin_rows = rows_of(client_for(world.admin).get(url))
    assert admin_rows[0] == ["Account", *(f"Kick-off questionnaire: {q[0]}" for q in QUESTIONNAIRE)]
    by_account = {r[0]: r[1:] for r in admin_rows[1:]}
    assert by_account[world.account.name] == [
        "Monthly reporting in one place",
        "11-50",
        "2026-04-01",
        "25",
        "",
    ]
    assert by_account[world.other_account.name] == ["'=evil()", "51+", "2026-05-01", "", ""]

    # The tenancy rule: each CSM gets only their portfolio's accounts.
    assert [r[0] for r in rows_of(client_for(world.csm).get(url))[1:]] == [world.account.name]
    assert [r[0] for r in rows_of(client_for(world.other_csm).get(url))[1:]] == [
        world.other_account.name
    ]


def test_the_template_csv_reads_in_the_same_queries_for_many_accounts(
    world: World, form_task: Task, django_assert_max_num_queries: Any
) -> None:
    template = form_task.checklist.template
    assert template is not None
    url = reverse("template_form_csv", args=[template.pk])
    admin = client_for(world.admin)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            rows_of(admin.get(url))
        return len(queries)

    one = count()
    for n in range(5):
        account = AccountFactory.create(owner=world.csm)
        MembershipFactory.create(account=account, role="champion")
        services.start_onboarding(
            account, template=template, kickoff_date=NOW.date() - timedelta(days=n),
            acting_user=world.csm,
        )  # fmt: skip
    assert count() == one


def test_answer_text_checks_each_type() -> None:
    def question(kind: str, options: str = "") -> TaskFormField:
        return TaskFormField(label="Q", field_type=kind, options=options)

    assert services.answer_text(question(FieldType.DATE), timezone.localdate()) == "2026-03-10"
    assert services.answer_text(question(FieldType.NUMBER), "1e3") == "1000"
    assert services.answer_text(question(FieldType.CHOICE, "A\nB"), " B ") == "B"
    assert services.answer_text(question(FieldType.TEXT), None) == ""
    for kind, value in [(FieldType.DATE, "soon"), (FieldType.NUMBER, "Infinity"), (FieldType.CHOICE, "C")]:  # fmt: skip
        with pytest.raises(ValidationError):
            services.answer_text(question(kind, "A\nB"), value)


# Demo ------------------------------------------------------------------------------------------


def test_the_demo_questionnaire_waits_on_acme_and_is_answered_by_globex(world: World) -> None:
    from onboarding.demo import (
        QUESTIONNAIRE,
        QUESTIONS,
        ensure_demo_onboardings,
        ensure_demo_template,
    )

    globex = AccountFactory.create(name="Globex", slug="globex", owner=world.csm)
    MembershipFactory.create(account=globex, role="champion")
    template = ensure_demo_template(world.csm)
    questionnaire = TemplateTask.objects.get(phase__template=template, title=QUESTIONNAIRE)
    assert [q.label for q in questionnaire.form_fields.all()] == [q[0] for q in QUESTIONS]
    ensure_demo_onboardings(template)

    acme = Task.objects.get(checklist__account=world.account, title=QUESTIONNAIRE)
    assert acme.kind == TaskKind.FORM and not acme.is_done
    assert not FormAnswer.objects.filter(field__task=acme).exists()
    answered = Task.objects.get(checklist__account=globex, title=QUESTIONNAIRE)
    assert answered.is_done
    answers = FormAnswer.objects.filter(field__task=answered)
    assert answers.count() == len(QUESTIONS)
    for answer in answers.select_related("field"):
        services.answer_text(answer.field, answer.value)  # each one valid for its type
