"""The course's quiz: the questions, then the score against the pass mark."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from .. import services
from ..figures import course_view
from ..forms import TakeQuizForm
from .common import customer_role, published_course

PAGE = "academy/quiz.html"


@require_http_methods(["GET", "HEAD", "POST"])
@account_view("academy.view")
def quiz(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    course = published_course(pk)
    if request.method == "POST" and not services.may_take(access):
        raise PermissionDenied(_("Only the account's people take its courses."))
    form = TakeQuizForm(request.POST if request.method == "POST" else None, course=course)
    if not form.questions:
        return refuse(request, _("This course has no quiz."), status=404)
    view = course_view(
        course.pk, access.account, request.user, customer_role(access, request.user.pk)
    )
    context = {
        "access": access,
        "account": access.account,
        "course": course,
        "view": view,
        "form": form,
        "may_take": services.may_take(access),
        "attempt": None,
    }
    if request.method != "POST":
        return render(request, PAGE, context)
    if not form.is_valid():
        return render(request, PAGE, context, status=422)
    try:
        attempt = services.take_quiz(
            course, access.account, answers=form.answers(), acting_user=request.user
        )
    except ValidationError as error:
        return refuse(request, " ".join(error.messages))
    context["attempt"] = attempt
    context["view"] = course_view(
        course.pk, access.account, request.user, customer_role(access, request.user.pk)
    )
    context["form"] = TakeQuizForm(course=course)
    return render(request, PAGE, context)
