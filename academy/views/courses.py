"""The academy's front page for an account: the viewer's courses and how far they are."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from ..figures import my_courses
from ..services import may_take
from .common import customer_role


@require_safe
@account_view("academy.view")
def courses(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    cards = my_courses(access.account, request.user, customer_role(access, request.user.pk))
    context = {
        "access": access,
        "account": access.account,
        "assigned": [c for c in cards if c.assigned],
        "others": [c for c in cards if not c.assigned],
        "may_take": may_take(access),
    }
    return render(request, "academy/courses.html", context)
