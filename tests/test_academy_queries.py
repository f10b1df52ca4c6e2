"""The academy's pages run the same number of queries with 10 lessons as with 1,000 (and the
team and portfolio pages with more people and accounts)."""

from __future__ import annotations

from typing import Any

from academy.models import Course, Lesson, LessonDone
from academy.services import assign_course
from tests.academy_helpers import CoursePassFactory, make_course
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory
from tests.queries import assert_same_queries, page_queries


def grow(course: Course, world: World, lessons: int) -> None:
    start = course.lessons.count()
    Lesson.objects.bulk_create(
        Lesson(course=course, title=f"Lesson {n}", body="Text.", position=n)
        for n in range(start, start + lessons)
    )
    LessonDone.objects.bulk_create(
        LessonDone(
            lesson=lesson, account=world.account, user=world.member, done_at=course.created_at
        )
        for lesson in course.lessons.all()[: lessons // 2]
        if not LessonDone.objects.filter(lesson=lesson, user=world.member).exists()
    )


def test_the_course_pages_do_not_grow_with_the_lessons(world: World, settings: Any) -> None:
    course = make_course(world.csm, lessons=0)
    grow(course, world, 10)
    lesson = course.lessons.first()
    assert lesson is not None
    paths = {
        "course": f"/a/acme/academy/{course.pk}/",
        "courses": "/a/acme/academy/",
        "lesson": f"/a/acme/academy/{course.pk}/lessons/{lesson.pk}/",
        "quiz": f"/a/acme/academy/{course.pk}/quiz/",
        "progress": "/a/acme/academy/progress/",
        "console": f"/academy/{course.pk}/",
    }
    viewers = {"progress": world.champion, "console": world.csm}
    before = {
        name: page_queries(client_for(viewers.get(name, world.member)), path)
        for name, path in paths.items()
    }
    # The course's page: the layout's queries and its own two (the course with the person's
    # standing folded in, the lessons with their ticks).
    assert before["course"] <= 12, before["course"]
    grow(course, world, 990)
    assert course.lessons.count() == 1000
    for name, path in paths.items():
        after = page_queries(client_for(viewers.get(name, world.member)), path)
        assert_same_queries(before[name], after, name)


def test_team_and_portfolio_pages_do_not_grow_with_people_and_accounts(world: World) -> None:
    course = make_course(world.csm)
    assign_course(course, world.account, role="member", acting_user=world.csm)
    before = (
        page_queries(client_for(world.champion), "/a/acme/academy/progress/"),
        page_queries(client_for(world.admin), "/academy/progress/"),
        page_queries(client_for(world.champion), "/a/acme/"),
    )
    for _ in range(20):
        person = MembershipFactory.create(account=world.account, role="member").user
        CoursePassFactory.create(course=course, account=world.account, user=person)
    for _ in range(20):
        account = AccountFactory.create(owner=world.csm)
        assign_course(course, account, role="member", acting_user=world.csm)
        MembershipFactory.create(account=account, role="member")
    make_course(world.csm, title="Second course")
    after = (
        page_queries(client_for(world.champion), "/a/acme/academy/progress/"),
        page_queries(client_for(world.admin), "/academy/progress/"),
        page_queries(client_for(world.champion), "/a/acme/"),
    )
    assert before == after
