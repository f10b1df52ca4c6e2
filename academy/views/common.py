"""Look-ups the academy's account pages share: always through the published courses, and a
lesson or file always through its course, so an id from elsewhere is a 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import AccountAccess
from accounts.models import Membership, User

from ..figures import CourseView, course_view
from ..models import Course, Lesson, LessonFile


def published_course(pk: int) -> Course:
    return get_object_or_404(Course.objects.published(), pk=pk)


def lesson_of(course: Course, pk: int) -> Lesson:
    return get_object_or_404(course.lessons.select_related("course"), pk=pk)


def file_of(course: Course, pk: int) -> LessonFile:
    return get_object_or_404(LessonFile.objects.filter(lesson__course=course), pk=pk)


def customer_role(access: AccountAccess, user_id: int) -> str | None:
    """The viewer's role among the account's people (None for vendor staff): which role
    assignments reach them."""
    if not access.is_customer:
        return None
    if not access.preview:  # a customer's access carries their membership's role
        return access.role
    return (
        Membership.objects.filter(account=access.account, user_id=user_id)
        .values_list("role", flat=True)
        .first()
    )


def published_course_view(pk: int, access: AccountAccess, user: User) -> CourseView:
    """A published course's page for ``user`` at the account; 404 for any other id."""
    try:
        return course_view(pk, access.account, user, customer_role(access, user.pk))
    except Course.DoesNotExist:
        raise Http404("No Course matches the given query.") from None
