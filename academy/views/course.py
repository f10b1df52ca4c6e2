"""One course as a person at an account sees it: its lessons with their ticks, the quiz, the
certificate once passed."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from ..services import may_take
from .common import published_course_view


@require_safe
@account_view("academy.view")
def course(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    view = published_course_view(pk, access, request.user)
    context = {
        "access": access,
        "account": access.account,
        "course": view.course,
        "view": view,
        "may_take": may_take(access),
    }
    return render(request, "academy/course.html", context)
