"""One course as a person at an account sees it: its lessons with their ticks, the quiz, the
certificate once passed."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from ..figures import course_view
from ..services import may_take
from .common import customer_role, published_course


@require_safe
@account_view("academy.view")
def course(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    found = published_course(pk)
    view = course_view(found, access.account, request.user, customer_role(access, request.user.pk))
    context = {
        "access": access,
        "account": access.account,
        "course": view.course,
        "view": view,
        "may_take": may_take(access),
    }
    return render(request, "academy/course.html", context)
