"""A lesson: its text, video link and files, and "mark as done"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from .. import services
from ..figures import lesson_html
from ..models import LessonDone
from .common import lesson_of, published_course


@require_safe
@account_view("academy.view")
def lesson(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, lesson_pk: int
) -> HttpResponse:
    course = published_course(pk)
    found = lesson_of(course, lesson_pk)
    slug = access.account.slug
    files = list(found.files.all())
    siblings = list(course.lessons.values_list("pk", flat=True))
    index = siblings.index(found.pk)
    context = {
        "access": access,
        "account": access.account,
        "course": course,
        "lesson": found,
        "number": index + 1,
        "total": len(siblings),
        "previous": siblings[index - 1] if index else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        "files": files,
        "body": lesson_html(
            found, files, lambda f: reverse("academy_file", args=[slug, course.pk, f.pk])
        ),
        "done": LessonDone.objects.filter(
            lesson=found, account=access.account, user=request.user
        ).exists(),
        "may_take": services.may_take(access),
    }
    return render(request, "academy/lesson.html", context)


@require_POST
@account_view("academy.take")
def lesson_done(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, lesson_pk: int
) -> HttpResponse:
    course = published_course(pk)
    found = lesson_of(course, lesson_pk)
    try:
        passed = services.mark_lesson_done(found, access.account, acting_user=request.user)
    except ValidationError as error:
        return refuse(request, " ".join(error.messages))
    slug = access.account.slug
    if passed is not None:
        return redirect(reverse("academy_course", args=[slug, course.pk]))
    following = course.lessons.filter(position__gt=found.position).values_list("pk", flat=True)
    after = following.first()
    if after is not None:
        return redirect(reverse("academy_lesson", args=[slug, course.pk, after]))
    if course.questions.exists():
        return redirect(reverse("academy_quiz", args=[slug, course.pk]))
    return redirect(reverse("academy_course", args=[slug, course.pk]))
