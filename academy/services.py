"""Changes to courses and to people's progress through them. Views and the demo call these.

Every write is a function named by its verb with a keyword-only ``acting_user``, and records
what it did in the activity log. Passing a course (:func:`mark_lesson_done`,
:func:`take_quiz`) records a :class:`CoursePass`, completes the onboarding tasks that wait on
it (through onboarding's services) and sends :data:`academy.signals.course_passed`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.access import CUSTOMER, AccountAccess
from accounts.activity import record, snapshot
from accounts.models import Account, CustomerRole, User
from onboarding import services as onboarding
from onboarding.models import Checklist, ChecklistPhase, Side, TaskKind

from .models import (
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
    position_after,
)
from .signals import course_passed

COURSE_FIELDS = ["title", "summary", "pass_mark"]
LESSON_FIELDS = ["title", "body", "video_url"]


# Who may do what -------------------------------------------------------------------------------


def may_author(user: User) -> bool:
    """Courses are the vendor's: its CSMs and CS admins write them."""
    return bool(user.is_vendor)


def may_take(access: AccountAccess) -> bool:
    """The customer's people take courses; vendor staff read them as the customer would."""
    return access.can("academy.take")


def may_see_person(access: AccountAccess, viewer: User, person_id: int) -> bool:
    """A person's progress and certificates: their own; the champion's and the vendor's for
    everyone on the account."""
    return person_id == viewer.pk or access.can("academy.view_progress")


# Writing courses -------------------------------------------------------------------------------


@transaction.atomic
def create_course(*, fields: dict[str, Any], acting_user: User) -> Course:
    course = Course.objects.create(created_by=acting_user, **fields)
    record(
        gettext_noop("created a course"),
        actor=acting_user,
        target=course,
        after=snapshot(course, COURSE_FIELDS),
        internal=True,
    )
    return course


def _edit(
    thing: Any, *, fields: dict[str, Any], names: list[str], verb: str, acting_user: User
) -> None:
    """Set ``fields`` on a course or a lesson and record what changed."""
    before = snapshot(thing, names)
    for name, value in fields.items():
        setattr(thing, name, value)
    thing.save()
    record(
        verb,
        actor=acting_user,
        target=thing,
        before=before,
        after=snapshot(thing, names),
        internal=True,
    )


@transaction.atomic
def update_course(course: Course, *, fields: dict[str, Any], acting_user: User) -> Course:
    _edit(
        course,
        fields=fields,
        names=COURSE_FIELDS,
        verb=gettext_noop("edited a course"),
        acting_user=acting_user,
    )
    return course


@transaction.atomic
def publish_course(course: Course, published: bool, *, acting_user: User) -> bool:
    """Publish (open to every account) or take back; says the state wanted. Returns whether it
    changed. A course with no lesson is not published: there would be nothing to take."""
    if published and not course.lessons.exists():
        raise ValidationError(_("Add a lesson first: a course with no lesson has nothing to take."))
    courses = Course.objects.filter(pk=course.pk)
    if published:
        changed = courses.filter(published_at__isnull=True).update(published_at=timezone.now())
    else:
        changed = courses.filter(published_at__isnull=False).update(published_at=None)
    course.refresh_from_db()
    if changed:
        record(
            gettext_noop("published a course")
            if published
            else gettext_noop("unpublished a course"),
            actor=acting_user,
            target=course,
            internal=True,
        )
    return bool(changed)


@transaction.atomic
def add_lesson(course: Course, *, fields: dict[str, Any], acting_user: User) -> Lesson:
    lesson = Lesson.objects.create(
        course=course, position=position_after(course.lessons.all()), **fields
    )
    Course.objects.filter(pk=course.pk).update(updated_at=timezone.now())
    record(
        gettext_noop("added a lesson"),
        actor=acting_user,
        target=lesson,
        after=snapshot(lesson, LESSON_FIELDS),
        internal=True,
    )
    return lesson


@transaction.atomic
def update_lesson(lesson: Lesson, *, fields: dict[str, Any], acting_user: User) -> Lesson:
    _edit(
        lesson,
        fields=fields,
        names=LESSON_FIELDS,
        verb=gettext_noop("edited a lesson"),
        acting_user=acting_user,
    )
    return lesson


@transaction.atomic
def attach_file(lesson: Lesson, *, upload: UploadedFile, acting_user: User) -> LessonFile:
    """Store ``upload`` with the lesson through the storage API (local disk or S3); a file of
    the same name is replaced."""
    name = (upload.name or "file").rsplit("/", 1)[-1][:200]
    old = lesson.files.filter(name=name).first()
    if old is not None:
        old.file.delete(save=False)
        old.delete()
    attached = LessonFile(
        lesson=lesson,
        name=name,
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=upload.size or 0,
        uploaded_by=acting_user,
    )
    attached.file.save(name, upload, save=False)
    attached.save()
    record(
        gettext_noop("attached a file"),
        actor=acting_user,
        target=lesson,
        after={"file": name},
        internal=True,
    )
    return attached


@dataclass(frozen=True)
class QuizQuestion:
    text: str
    choices: list[tuple[str, bool]] = field(default_factory=list)  # (text, correct)


def check_quiz(questions: list[QuizQuestion]) -> None:
    """Every question needs two choices or more, and at least one right answer."""
    errors = []
    for number, question in enumerate(questions, start=1):
        if len(question.choices) < 2:
            errors.append(
                _("Question %(number)s (“%(question)s”) needs at least two choices.")
                % {"number": number, "question": question.text}
            )
        if not any(correct for _text, correct in question.choices):
            errors.append(
                _(
                    "Question %(number)s (“%(question)s”) has no correct answer: mark at least "
                    "one choice with * in front."
                )
                % {"number": number, "question": question.text}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def replace_quiz(course: Course, *, questions: list[QuizQuestion], acting_user: User) -> int:
    """Make the course's quiz ``questions`` (none: no quiz). Refused whole, changing nothing,
    when a question has no correct answer. Returns the number of questions."""
    check_quiz(questions)
    before = course.questions.count()
    course.questions.all().delete()
    for position, question in enumerate(questions):
        stored = Question.objects.create(course=course, text=question.text, position=position)
        Choice.objects.bulk_create(
            Choice(question=stored, text=text, correct=correct, position=index)
            for index, (text, correct) in enumerate(question.choices)
        )
    record(
        gettext_noop("changed a quiz"),
        actor=acting_user,
        target=course,
        before={"questions": before},
        after={"questions": len(questions)},
        internal=True,
    )
    return len(questions)


# Assigning -------------------------------------------------------------------------------------


def assignable_people(account: Account) -> Any:
    return User.objects.filter(memberships__account=account, is_active=True).order_by("name")


@transaction.atomic
def assign_course(
    course: Course,
    account: Account,
    *,
    role: str = "",
    user: User | None = None,
    acting_user: User,
) -> Assignment:
    """Assign a published course to everyone with ``role`` on ``account``, or to ``user``
    (one of its people). Assigning again changes nothing."""
    if not course.is_published:
        raise ValidationError({"course": _("Publish the course before assigning it.")})
    if bool(role) == (user is not None):
        raise ValidationError(_("Choose a role or a person, not both."))
    if role and role not in CustomerRole.values:
        raise ValidationError({"role": _("Choose a role of the customer's people.")})
    if user is not None and not assignable_people(account).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("Choose someone who works at this account.")})
    assignment, created = Assignment.objects.get_or_create(
        course=course, account=account, role=role, user=user, defaults={"assigned_by": acting_user}
    )
    if created:
        record(
            gettext_noop("assigned a course"), actor=acting_user, account=account, target=assignment
        )
    return assignment


@transaction.atomic
def add_course_to_checklist(
    course: Course,
    checklist: Checklist,
    *,
    phase: ChecklistPhase,
    assignee: User | None,
    acting_user: User,
) -> CourseTask:
    """Add a task to the account's onboarding that completes when the course is passed (by
    its assignee, or by anyone at the account when it has none)."""
    if not course.is_published:
        raise ValidationError({"course": _("Publish the course before adding it to a checklist.")})
    if phase.checklist_id != checklist.pk:
        raise ValidationError({"phase": _("Choose a phase of this checklist.")})
    url = reverse("academy_course", args=[checklist.account.slug, course.pk])
    task = onboarding.add_task(
        checklist,
        fields={
            "phase": phase,
            "title": (_("Pass the course “%(title)s”") % {"title": course.title})[:200],
            "description": _(
                "Take the course [%(title)s](%(url)s): this task completes when it is passed."
            )
            % {"title": course.title, "url": url},
            "owner_side": Side.CUSTOMER,
            "assignee": assignee,
            "kind": TaskKind.COURSE,
        },
        client_token=uuid.uuid4(),
        acting_user=acting_user,
    )
    link = CourseTask.objects.create(task=task, course=course)
    if assignee is not None:
        assign_course(course, checklist.account, user=assignee, acting_user=acting_user)
    # Passed already: the task is done at once.
    passes = CoursePass.objects.filter(course=course, account=checklist.account)
    if assignee is not None:
        passes = passes.filter(user=assignee)
    first = passes.select_related("user").order_by("passed_at").first()
    if first is not None:
        onboarding.set_task_done(task, True, acting_user=first.user)
    return link


# Taking a course ------------------------------------------------------------------------------


def _customer_role(account: Account, user: User) -> str | None:
    role = user.memberships.filter(account=account).values_list("role", flat=True).first()
    return role if role in CUSTOMER else None


@transaction.atomic
def mark_lesson_done(lesson: Lesson, account: Account, *, acting_user: User) -> CoursePass | None:
    """Mark a lesson done for the acting person at ``account``; twice is once. Returns the
    pass when this finished the course."""
    if not lesson.course.is_published:
        raise ValidationError(_("This course is not published."))
    if _customer_role(account, acting_user) is None:
        raise ValidationError(_("Only the account's people take its courses."))
    _done, created = LessonDone.objects.get_or_create(
        lesson=lesson, account=account, user=acting_user, defaults={"done_at": timezone.now()}
    )
    if created:
        record(gettext_noop("finished a lesson"), actor=acting_user, account=account, target=lesson)
    return _pass_if_complete(lesson.course, account, acting_user)


def score_answers(course: Course, answers: dict[int, set[int]]) -> tuple[int, int]:
    """(right, questions): a question is right when exactly its correct choices are chosen."""
    correct: dict[int, set[int]] = {}
    for question_id, choice_id in Choice.objects.filter(
        question__course=course, correct=True
    ).values_list("question_id", "pk"):
        correct.setdefault(question_id, set()).add(choice_id)
    questions = list(course.questions.values_list("pk", flat=True))
    right = sum(1 for q in questions if answers.get(q, set()) == correct.get(q, set()))
    return right, len(questions)


@transaction.atomic
def take_quiz(
    course: Course, account: Account, *, answers: dict[int, set[int]], acting_user: User
) -> QuizAttempt:
    """Score an attempt at the course's quiz (as many attempts as wanted; a pass stays)."""
    if not course.is_published:
        raise ValidationError(_("This course is not published."))
    if _customer_role(account, acting_user) is None:
        raise ValidationError(_("Only the account's people take its courses."))
    right, total = score_answers(course, answers)
    if not total:
        raise ValidationError(_("This course has no quiz."))
    score = round(100 * right / total)
    attempt = QuizAttempt.objects.create(
        course=course,
        account=account,
        user=acting_user,
        score=score,
        passed=score >= course.pass_mark,
        right=right,
        questions=total,
        answers={str(q): sorted(c) for q, c in answers.items()},
        taken_at=timezone.now(),
    )
    record(
        gettext_noop("passed a quiz") if attempt.passed else gettext_noop("took a quiz"),
        actor=acting_user,
        account=account,
        target=course,
        after={"score": score, "pass_mark": course.pass_mark},
    )
    _pass_if_complete(course, account, acting_user)
    return attempt


def _pass_if_complete(course: Course, account: Account, user: User) -> CoursePass | None:
    if CoursePass.objects.filter(course=course, account=account, user=user).exists():
        return None
    lessons = course.lessons.count()
    done = LessonDone.objects.filter(lesson__course=course, account=account, user=user).count()
    if done < lessons:
        return None
    best = None
    if course.questions.exists():
        best = (
            QuizAttempt.objects.filter(course=course, account=account, user=user, passed=True)
            .order_by("-score")
            .values_list("score", flat=True)
            .first()
        )
        if best is None:
            return None
    try:
        with transaction.atomic():
            passed = CoursePass.objects.create(
                course=course, account=account, user=user, score=best, passed_at=timezone.now()
            )
    except IntegrityError:  # passed at the same moment in another request
        return None
    record(gettext_noop("passed a course"), actor=user, account=account, target=passed)
    _complete_course_tasks(passed)
    course_passed.send(sender=CoursePass, course_pass=passed)
    return passed


def _complete_course_tasks(passed: CoursePass) -> None:
    links = CourseTask.objects.filter(
        course=passed.course_id,
        task__checklist__account=passed.account_id,
        task__completed_at__isnull=True,
    ).filter(Q(task__assignee__isnull=True) | Q(task__assignee=passed.user_id))
    for link in links.select_related("task"):
        onboarding.set_task_done(link.task, True, acting_user=passed.user)
