"""Factories for the academy's models, a small course to test with, and the academy's rows of
the URL x role access matrix (tests/test_access_matrix.py)::

    EXPECTED.update(ACADEMY_EXPECTED)
    # in matrix_world:   ctx["academy"] = make_academy_world(world)
    # in url_and_data:   **academy_url_args(ctx["academy"], slug),
"""

from __future__ import annotations

from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from academy.models import (
    Assignment,
    Choice,
    Course,
    CoursePass,
    CourseTask,
    Lesson,
    LessonDone,
    LessonFile,
    Question,
    QuizAttempt,
)
from accounts.models import User
from onboarding.models import Checklist, ChecklistPhase, Task, TaskKind
from tests.conftest import World
from tests.factories import AccountFactory, CSMFactory, UserFactory

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
ACCOUNT_READ = [L, 200, 200, 200, 404, 200, 404, 200]
PROGRESS_READ = [L, 200, 403, 403, 404, 200, 404, 200]
ASSIGN_WRITE = [L, 302, 403, 403, 404, 302, 404, 302]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
# The account's people take courses; vendor staff read them.
TAKE_WRITE = [L, 302, 302, 302, 404, 403, 404, 403]
QUIZ_WRITE = [L, 200, 200, 200, 404, 403, 404, 403]
# The member's certificate: theirs, the champion's and the vendor's to see; the executive's
# not (404, as if it did not exist).
MEMBERS_CERTIFICATE = [L, 200, 404, 200, 404, 200, 404, 200]
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
CONSOLE_WRITE = [L, 403, 403, 403, 403, 302, 302, 302]
POST_ONLY = [405] * 8

ACADEMY_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "academy": (ACCOUNT_READ, None),
    "academy_progress": (PROGRESS_READ, None),
    "academy_assign": (POST_ONLY, ASSIGN_WRITE),
    "academy_checklist": (POST_ONLY, VENDOR_WRITE),
    "academy_course": (ACCOUNT_READ, None),
    "academy_lesson": (ACCOUNT_READ, None),
    "academy_lesson_done": (POST_ONLY, TAKE_WRITE),
    "academy_quiz": (ACCOUNT_READ, QUIZ_WRITE),
    "academy_file": (ACCOUNT_READ, None),
    "academy_certificate": (MEMBERS_CERTIFICATE, None),
    # A draft course is nobody's on the account pages, the vendor's in the console.
    "academy_course#draft": ([L, 404, 404, 404, 404, 404, 404, 404], None),
    "academy_courses": (CONSOLE_READ, CONSOLE_WRITE),
    "academy_portfolio": (CONSOLE_READ, None),
    "academy_course_edit": (CONSOLE_READ, CONSOLE_WRITE),
    "academy_course_publish": (POST_ONLY, CONSOLE_WRITE),
    "academy_quiz_edit": (CONSOLE_READ, CONSOLE_WRITE),
    "academy_lesson_add": (CONSOLE_READ, CONSOLE_WRITE),
    "academy_lesson_edit": (CONSOLE_READ, CONSOLE_WRITE),
    "academy_lesson_file_add": (POST_ONLY, CONSOLE_WRITE),
    "academy_console_file": (CONSOLE_READ, None),
}

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    summary = "Learn the basics."
    pass_mark = 80
    created_by = factory.SubFactory(CSMFactory)
    published_at = factory.LazyFunction(timezone.now)


class LessonFactory(factory.django.DjangoModelFactory[Lesson]):
    class Meta:
        model = Lesson

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = "Read this, then **do** that."
    position = factory.Sequence(lambda n: n)


class LessonFileFactory(factory.django.DjangoModelFactory[LessonFile]):
    class Meta:
        model = LessonFile

    lesson = factory.SubFactory(LessonFactory)
    name = factory.Sequence(lambda n: f"diagram-{n}.png")
    content_type = "image/png"
    size = len(PNG)
    uploaded_by = factory.SubFactory(CSMFactory)
    file = factory.LazyAttribute(lambda o: SimpleUploadedFile(o.name, PNG, "image/png"))


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    course = factory.SubFactory(CourseFactory)
    text = factory.Sequence(lambda n: f"Question {n}?")
    position = factory.Sequence(lambda n: n)


class ChoiceFactory(factory.django.DjangoModelFactory[Choice]):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
    correct = False
    position = factory.Sequence(lambda n: n)


class AssignmentFactory(factory.django.DjangoModelFactory[Assignment]):
    class Meta:
        model = Assignment

    course = factory.SubFactory(CourseFactory)
    account = factory.SubFactory(AccountFactory)
    role = "member"
    user = None
    assigned_by = factory.SubFactory(CSMFactory)


class LessonDoneFactory(factory.django.DjangoModelFactory[LessonDone]):
    class Meta:
        model = LessonDone

    lesson = factory.SubFactory(LessonFactory)
    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    done_at = factory.LazyFunction(timezone.now)


class QuizAttemptFactory(factory.django.DjangoModelFactory[QuizAttempt]):
    class Meta:
        model = QuizAttempt

    course = factory.SubFactory(CourseFactory)
    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    score = 100
    passed = True
    right = 2
    questions = 2
    taken_at = factory.LazyFunction(timezone.now)


class CoursePassFactory(factory.django.DjangoModelFactory[CoursePass]):
    class Meta:
        model = CoursePass

    course = factory.SubFactory(CourseFactory)
    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    score = 100
    passed_at = factory.LazyFunction(timezone.now)


class ChecklistFactory(factory.django.DjangoModelFactory[Checklist]):
    class Meta:
        model = Checklist

    account = factory.SubFactory(AccountFactory)
    kickoff_date = factory.LazyFunction(timezone.localdate)
    started_by = factory.SubFactory(CSMFactory)


class ChecklistPhaseFactory(factory.django.DjangoModelFactory[ChecklistPhase]):
    class Meta:
        model = ChecklistPhase

    checklist = factory.SubFactory(ChecklistFactory)
    name = "Training"


class CourseKindTaskFactory(factory.django.DjangoModelFactory[Task]):
    """An onboarding task of the "course" kind (its link is :class:`CourseTaskFactory`)."""

    class Meta:
        model = Task

    phase = factory.SubFactory(ChecklistPhaseFactory)
    checklist = factory.SelfAttribute("phase.checklist")
    title = factory.Sequence(lambda n: f"Pass the course {n}")
    kind = TaskKind.COURSE


class CourseTaskFactory(factory.django.DjangoModelFactory[CourseTask]):
    class Meta:
        model = CourseTask

    course = factory.SubFactory(CourseFactory)
    task = factory.SubFactory(CourseKindTaskFactory)


def make_course(
    author: User, *, lessons: int = 2, quiz: bool = True, title: str = "Getting started"
) -> Course:
    """A published course: ``lessons`` lessons and, with ``quiz``, two questions (the first
    with one right answer, the second with two), pass mark 50%."""
    course = CourseFactory.create(title=title, created_by=author, pass_mark=50)
    for n in range(lessons):
        LessonFactory.create(course=course, title=f"Lesson {n + 1}", position=n)
    if quiz:
        first = QuestionFactory.create(
            course=course, text="Where do you invite people?", position=0
        )
        ChoiceFactory.create(question=first, text="People page", correct=True, position=0)
        ChoiceFactory.create(question=first, text="Billing", position=1)
        second = QuestionFactory.create(course=course, text="Which can be scheduled?", position=1)
        ChoiceFactory.create(question=second, text="Usage", correct=True, position=0)
        ChoiceFactory.create(question=second, text="Revenue", correct=True, position=1)
        ChoiceFactory.create(question=second, text="Nothing", position=2)
    return course


def right_answers(course: Course) -> dict[str, Any]:
    """The quiz form's POST data with every right answer."""
    data: dict[str, Any] = {}
    for question in course.questions.prefetch_related("choices"):
        right = [str(c.pk) for c in question.choices.all() if c.correct]
        data[f"q{question.pk}"] = right if len(right) > 1 else right[0]
    return data


def make_academy_world(world: World) -> dict[str, Any]:
    course = make_course(world.csm)
    lesson = course.lessons.first()
    assert lesson is not None
    attached = LessonFileFactory.create(lesson=lesson, uploaded_by=world.csm)
    draft = CourseFactory.create(title="Draft", created_by=world.csm, published_at=None)
    LessonFactory.create(course=draft)
    members_pass = CoursePassFactory.create(course=course, account=world.account, user=world.member)
    return {
        "course": course,
        "lesson": lesson,
        "file": attached,
        "draft": draft,
        "members_pass": members_pass,
    }


def academy_url_args(
    ctx: dict[str, Any], slug: str, phase_id: int
) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    course, lesson, draft = ctx["course"], ctx["lesson"], ctx["draft"]
    return {
        "academy_assign": ([slug], {"assign-course": course.pk, "assign-role": "executive"}),
        "academy_checklist": ([slug], {"checklist-course": course.pk, "checklist-phase": phase_id}),
        "academy_course": ([slug, course.pk], {}),
        "academy_course#draft": ([slug, draft.pk], {}),
        "academy_lesson": ([slug, course.pk, lesson.pk], {}),
        "academy_lesson_done": ([slug, course.pk, lesson.pk], {}),
        "academy_quiz": ([slug, course.pk], right_answers(course)),
        "academy_file": ([slug, course.pk, ctx["file"].pk], {}),
        "academy_certificate": ([slug, ctx["members_pass"].pk], {}),
        "academy_courses": ([], {"title": "Advanced reporting", "summary": "", "pass_mark": 70}),
        "academy_course_edit": ([course.pk], {"title": "Getting started, again", "summary": "", "pass_mark": 60}),
        "academy_course_publish": ([draft.pk], {"published": "1"}),
        "academy_quiz_edit": ([course.pk], {"quiz": "Is it easy?\n* Yes\nNo"}),
        "academy_lesson_add": ([course.pk], {"title": "Lesson three", "body": "More."}),
        "academy_lesson_edit": ([course.pk, lesson.pk], {"title": "Lesson one, renamed", "body": "Less."}),
        "academy_lesson_file_add": ([course.pk, lesson.pk], {"file": SimpleUploadedFile("notes.pdf", b"%PDF-1.4 notes", "application/pdf")}),
        "academy_console_file": ([course.pk, ctx["file"].pk], {}),
    }  # fmt: skip
