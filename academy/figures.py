"""Every figure of the academy: a person's courses and progress, a lesson's page, an account's
team progress, the portfolio's completion rates, and training completion for the health score.

Each function runs a fixed number of queries, whatever the number of lessons, people or
accounts (tests/test_academy_queries.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.models import Account, Membership, User
from portal import compiled
from portal.markdown import render_markdown

from .models import (
    Assignment,
    Course,
    CoursePass,
    Lesson,
    LessonDone,
    LessonFile,
    Question,
    QuizAttempt,
)


def _count(model: type, **where: object) -> Coalesce:
    """A correlated count (no join that would multiply other counts)."""
    return Coalesce(
        Subquery(
            model._default_manager.filter(**where)  # type: ignore[attr-defined]
            .order_by()
            .values("course")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def with_counts(courses: QuerySet[Course]) -> QuerySet[Course]:
    return courses.annotate(
        lesson_count=_count(Lesson, course=OuterRef("pk")),
        question_count=_count(Question, course=OuterRef("pk")),
    )


@dataclass
class Progress:
    """One person's progress through one course at one account."""

    lessons: int
    done: int
    has_quiz: bool
    best_score: int | None = None
    attempts: int = 0
    passed: CoursePass | None = None
    best_passed: bool = False

    @property
    def percent(self) -> int:
        """Lessons done, with the quiz counting as one more step."""
        steps = self.lessons + (1 if self.has_quiz else 0)
        if self.passed is not None:
            return 100
        if not steps:
            return 0
        quiz = 1 if self.has_quiz and self.best_passed else 0
        return round(100 * (self.done + quiz) / steps)

    @property
    def started(self) -> bool:
        return bool(self.done or self.attempts or self.passed)

    @property
    def status(self) -> str:
        if self.passed is not None:
            return "passed"
        return "in_progress" if self.started else "not_started"

    @property
    def status_label(self) -> str:
        return {
            "passed": _("Passed"),
            "in_progress": _("In progress"),
            "not_started": _("Not started"),
        }[self.status]


@dataclass
class CourseCard:
    course: Course
    progress: Progress
    assigned: bool


def _progress_of(
    courses: Iterable[Course], account: Account, user_ids: list[int]
) -> dict[tuple[int, int], Progress]:
    """Progress by (user id, course id), in three queries."""
    course_list = list(courses)
    ids = [c.pk for c in course_list]
    done: dict[tuple[int, int], int] = {}
    for user_id, course_id, n in (
        LessonDone.objects.filter(account=account, user_id__in=user_ids, lesson__course__in=ids)
        .order_by()
        .values_list("user_id", "lesson__course_id")
        .annotate(n=Count("pk"))
    ):
        done[(user_id, course_id)] = n
    attempts: dict[tuple[int, int], tuple[int, int, bool]] = {}
    for user_id, course_id, n, best, passed in (
        QuizAttempt.objects.filter(account=account, user_id__in=user_ids, course__in=ids)
        .order_by()
        .values_list("user_id", "course_id")
        .annotate(n=Count("pk"), best=_max("score"), passed=_max("passed"))
    ):
        attempts[(user_id, course_id)] = (n, best, bool(passed))
    passes = {
        (p.user_id, p.course_id): p
        for p in CoursePass.objects.filter(account=account, user_id__in=user_ids, course__in=ids)
    }
    progress = {}
    for user_id in user_ids:
        for course in course_list:
            key = (user_id, course.pk)
            n, best, best_passed = attempts.get(key, (0, None, False))
            progress[key] = Progress(
                lessons=course.lesson_count,  # type: ignore[attr-defined]
                done=done.get(key, 0),
                has_quiz=bool(course.question_count),  # type: ignore[attr-defined]
                best_score=best,
                attempts=n,
                passed=passes.get(key),
                best_passed=best_passed,
            )
    return progress


def _max(name: str) -> Max:
    if name == "passed":  # booleans have no MAX in PostgreSQL
        return Max(Cast(name, IntegerField()))
    return Max(name)


def assigned_course_ids(account: Account, user: User, role: str | None) -> set[int]:
    rows = Assignment.objects.filter(account=account).values_list("course_id", "role", "user_id")
    return {c for c, r, u in rows if u == user.pk or (r and r == role)}


def my_courses(account: Account, user: User, role: str | None) -> list[CourseCard]:
    """The published courses as ``user`` sees them at ``account``: assigned ones first."""
    courses = list(with_counts(Course.objects.published()))
    assigned = assigned_course_ids(account, user, role)
    progress = _progress_of(courses, account, [user.pk])
    cards = [CourseCard(c, progress[(user.pk, c.pk)], c.pk in assigned) for c in courses]
    cards.sort(key=lambda card: (not card.assigned, card.progress.status == "passed"))
    return cards


@dataclass
class LessonRow:
    lesson: Lesson
    done: bool
    number: int


@dataclass
class CourseView:
    course: Course
    lessons: list[LessonRow]
    progress: Progress
    assigned: bool
    last_score: int | None

    @property
    def next_lesson(self) -> Lesson | None:
        return next((row.lesson for row in self.lessons if not row.done), None)

    @property
    def summary_html(self) -> SafeString:
        return summary_html(self.course.summary)


@lru_cache(maxsize=256)
def summary_html(summary: str) -> SafeString:
    """A course's summary as safe HTML, rendered once per text (and process): a summary is
    the same for every person and changes only when the course is edited."""
    return mark_safe(render_markdown(summary))  # noqa: S308 - sanitised by render_markdown


def _course_query(course: int, account: int, user: int, role: str | None) -> QuerySet[Any]:
    """One published course with the person's attempts, pass and assignment folded in."""
    attempts = (
        QuizAttempt.objects.filter(course=OuterRef("pk"), account=account, user=user)
        .order_by()
        .values("user")  # one person: one group
    )
    passed = CoursePass.objects.filter(course=OuterRef("pk"), account=account, user=user)
    mine = Q(user=user) | Q(role=role) if role else Q(user=user)
    return (
        Course.objects.published()
        .filter(pk=course)
        .annotate(
            question_count=_count(Question, course=OuterRef("pk")),
            attempt_count=Coalesce(Subquery(attempts.annotate(n=Count("pk")).values("n")[:1]), 0),
            best_score=Subquery(attempts.annotate(best=_max("score")).values("best")[:1]),
            best_passed=Subquery(attempts.annotate(best=_max("passed")).values("best")[:1]),
            last_score=Subquery(
                QuizAttempt.objects.filter(course=OuterRef("pk"), account=account, user=user)
                .order_by("-taken_at", "-pk")
                .values("score")[:1]
            ),
            pass_id=Subquery(passed.values("pk")[:1]),
            pass_score=Subquery(passed.values("score")[:1]),
            passed_at=Subquery(passed.values("passed_at")[:1]),
            assigned=Exists(
                Assignment.objects.filter(mine, course=OuterRef("pk"), account=account)
            ),
        )
        .values_list(
            "pk",
            "title",
            "summary",
            "pass_mark",
            "question_count",
            "attempt_count",
            "best_score",
            "best_passed",
            "last_score",
            "pass_id",
            "pass_score",
            "passed_at",
            "assigned",
        )
    )


def _lessons_query(course: int, account: int, user: int) -> QuerySet[Any]:
    """A course's lessons in order, each with whether the person has done it."""
    done = LessonDone.objects.filter(lesson=OuterRef("pk"), account=account, user=user)
    return (
        Lesson.objects.filter(course=course)
        .annotate(is_done=Exists(done))
        .values_list("pk", "title", "video_url", "is_done")
    )


def _moment(value: datetime | str) -> datetime:
    """A date and time as the database cursor gives it (SQLite: text in UTC)."""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        assert parsed is not None
        value = parsed
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def course_view(course_id: int, account: Account, user: User, role: str | None) -> CourseView:
    """A published course's page: its lessons with the person's ticks, and where they stand.

    Two queries, whatever the number of lessons or attempts, each compiled once per process
    (``portal.compiled``): the course with the person's attempts, pass and assignment folded
    in, and the lessons with their ticks. Raises ``Course.DoesNotExist`` for a course that is
    not published."""
    found = compiled.run(
        ("academy.course_view", role),
        lambda course, account, user: _course_query(course, account, user, role),
        course=course_id,
        account=account.pk,
        user=user.pk,
    )
    if not found:
        raise Course.DoesNotExist(f"No published course {course_id}.")
    (
        pk,
        title,
        summary,
        pass_mark,
        question_count,
        attempt_count,
        best_score,
        best_passed,
        last_score,
        pass_id,
        pass_score,
        passed_at,
        assigned,
    ) = found[0]
    course = Course(pk=pk, title=title, summary=summary, pass_mark=pass_mark)
    course.question_count = question_count  # type: ignore[attr-defined]
    lessons = [
        (Lesson(pk=lesson_pk, course=course, title=t, video_url=video), bool(done))
        for lesson_pk, t, video, done in compiled.run(
            "academy.course_view.lessons",
            _lessons_query,
            course=course_id,
            account=account.pk,
            user=user.pk,
        )
    ]
    course.lesson_count = len(lessons)  # type: ignore[attr-defined]
    the_pass = None
    if pass_id is not None:
        the_pass = CoursePass(
            pk=pass_id,
            course=course,
            account=account,
            user=user,
            score=pass_score,
            passed_at=_moment(passed_at),
        )
    rows = [LessonRow(lesson, done, n) for n, (lesson, done) in enumerate(lessons, 1)]
    progress = Progress(
        lessons=len(rows),
        done=sum(1 for row in rows if row.done),
        has_quiz=bool(question_count),
        best_score=best_score,
        attempts=attempt_count,
        passed=the_pass,
        best_passed=bool(best_passed),
    )
    return CourseView(
        course=course,
        lessons=rows,
        progress=progress,
        assigned=bool(assigned),
        last_score=last_score,
    )


ATTACHMENT = re.compile(r"\(attachment:([^)\s]+)\)")


def lesson_html(
    lesson: Lesson, files: list[LessonFile], file_url: Callable[[LessonFile], str]
) -> str:
    """The lesson's Markdown as safe HTML; ``![…](attachment:name)`` shows the attached file of
    that name through ``file_url`` (the download view that applies the tenancy rule)."""
    by_name = {f.name: f for f in files}

    def resolve(match: re.Match[str]) -> str:
        found = by_name.get(match.group(1))
        return f"({file_url(found)})" if found is not None else "()"

    return render_markdown(ATTACHMENT.sub(resolve, lesson.body), images=True)


# The team, the account, the portfolio ---------------------------------------------------------


@dataclass
class PersonRow:
    person: User
    role: str
    cells: list[Progress]
    passed: int = 0


@dataclass
class TeamProgress:
    courses: list[Course]
    people: list[PersonRow]
    assigned_pairs: int
    passed_pairs: int

    @property
    def completion(self) -> Decimal | None:
        if not self.assigned_pairs:
            return None
        return Decimal(100 * self.passed_pairs) / self.assigned_pairs


def team_progress(account: Account) -> TeamProgress:
    """Every person of the account against every published course: the champion's and the
    CSM's view. A fixed number of queries."""
    courses = list(with_counts(Course.objects.published()))
    memberships = list(
        Membership.objects.filter(account=account, user__is_active=True)
        .select_related("user")
        .order_by("user__name")
    )
    user_ids = [m.user_id for m in memberships]
    progress = _progress_of(courses, account, user_ids)
    people = []
    for m in memberships:
        cells = [progress[(m.user_id, c.pk)] for c in courses]
        people.append(
            PersonRow(m.user, m.role, cells, sum(1 for p in cells if p.passed is not None))
        )
    pairs = assigned_pairs([account]).get(account.pk, set())
    passed = passed_pairs([account]).get(account.pk, set())
    return TeamProgress(courses, people, len(pairs), len(pairs & passed))


def assigned_pairs(
    accounts: Iterable[Account], until: datetime | None = None
) -> dict[int, set[tuple[int, int]]]:
    """(person, course) pairs assigned at each account (by ``until`` when given), by account
    id: two queries."""
    ids = [a.pk for a in accounts]
    roles: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    members: dict[int, set[int]] = defaultdict(set)
    for account_id, user_id, role in Membership.objects.filter(
        account__in=ids, user__is_active=True
    ).values_list("account_id", "user_id", "role"):
        roles[account_id][role].add(user_id)
        members[account_id].add(user_id)
    pairs: dict[int, set[tuple[int, int]]] = defaultdict(set)
    assignments = Assignment.objects.filter(account__in=ids, course__published_at__isnull=False)
    if until is not None:
        assignments = assignments.filter(assigned_at__lt=until)
    for account_id, course_id, role, user_id in assignments.values_list(
        "account_id", "course_id", "role", "user_id"
    ):
        people = {user_id} & members[account_id] if user_id else roles[account_id][role]
        pairs[account_id] |= {(p, course_id) for p in people}
    return pairs


def passed_pairs(
    accounts: Iterable[Account], until: datetime | None = None
) -> dict[int, set[tuple[int, int]]]:
    found: dict[int, set[tuple[int, int]]] = defaultdict(set)
    passes = CoursePass.objects.filter(account__in=[a.pk for a in accounts])
    if until is not None:
        passes = passes.filter(passed_at__lt=until)
    for account_id, user_id, course_id in passes.values_list("account_id", "user_id", "course_id"):
        found[account_id].add((user_id, course_id))
    return found


@dataclass
class AccountTraining:
    account: Account
    assigned: int
    passed: int
    passes: int  # every course passed there, assigned or not
    last_pass: datetime | None = None

    @property
    def completion(self) -> Decimal | None:
        """Share of assigned (person, course) pairs passed; None with nothing assigned."""
        if not self.assigned:
            return None
        return Decimal(100 * self.passed) / self.assigned


@dataclass
class PortfolioTraining:
    rows: list[AccountTraining] = field(default_factory=list)

    @property
    def assigned(self) -> int:
        return sum(r.assigned for r in self.rows)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.rows)

    @property
    def passes(self) -> int:
        return sum(r.passes for r in self.rows)

    @property
    def completion(self) -> Decimal | None:
        return Decimal(100 * self.passed) / self.assigned if self.assigned else None


def portfolio_training(accounts: QuerySet[Account]) -> PortfolioTraining:
    """Training completion per account of a portfolio: four queries, whatever its size."""
    account_list = list(accounts.order_by("name"))
    pairs = assigned_pairs(account_list)
    passed = passed_pairs(account_list)
    last: dict[int, datetime] = {}
    for p in CoursePass.objects.filter(account__in=[a.pk for a in account_list]).values_list(
        "account_id", "passed_at"
    ):
        last[p[0]] = max(last.get(p[0], p[1]), p[1])
    return PortfolioTraining(
        [
            AccountTraining(
                account=a,
                assigned=len(pairs.get(a.pk, set())),
                passed=len(pairs.get(a.pk, set()) & passed.get(a.pk, set())),
                passes=len(passed.get(a.pk, set())),
                last_pass=last.get(a.pk),
            )
            for a in account_list
        ]
    )


def training_completion(account: Account, until: datetime | None = None) -> AccountTraining:
    """What was assigned at ``account`` and what of it was passed (both by ``until``)."""
    pairs = assigned_pairs([account], until).get(account.pk, set())
    passed = passed_pairs([account], until).get(account.pk, set())
    return AccountTraining(account, len(pairs), len(pairs & passed), len(passed))
