"""The account's training: every person against every course (the champion's and the CSM's
view), with the forms that assign a course and add one to the onboarding checklist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from onboarding.models import Checklist, ChecklistPhase

from .. import services
from ..figures import team_progress
from ..forms import AssignForm, ChecklistCourseForm
from ..models import Assignment, Course

PAGE = "academy/progress.html"


def _forms(
    access: AccountAccess,
    data: Any = None,
    which: str = "",
) -> tuple[AssignForm | None, ChecklistCourseForm | None]:
    courses = Course.objects.published()
    people = services.assignable_people(access.account)
    assign = (
        AssignForm(
            data if which == "assign" else None, courses=courses, people=people, prefix="assign"
        )
        if access.can("academy.assign")
        else None
    )
    checklist = Checklist.objects.filter(account=access.account).first()
    add = (
        ChecklistCourseForm(
            data if which == "checklist" else None,
            courses=courses,
            phases=ChecklistPhase.objects.filter(checklist=checklist),
            people=people,
            prefix="checklist",
        )
        if checklist is not None and access.can("academy.checklist")
        else None
    )
    return assign, add


def _page(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    forms: tuple[AssignForm | None, ChecklistCourseForm | None],
    status: int = 200,
) -> HttpResponse:
    context = {
        "access": access,
        "account": access.account,
        "team": team_progress(access.account),
        "assignments": Assignment.objects.filter(account=access.account).select_related(
            "course", "user"
        ),
        "assign_form": forms[0],
        "checklist_form": forms[1],
    }
    return render(request, PAGE, context, status=status)


@require_safe
@account_view("academy.view_progress")
def progress(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return _page(request, access, _forms(access))


@require_POST
@account_view("academy.assign")
def assign(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    forms = _forms(access, request.POST, "assign")
    form = forms[0]
    assert form is not None
    if not form.is_valid():
        return _page(request, access, forms, status=422)
    data = form.cleaned_data
    try:
        assignment = services.assign_course(
            data["course"],
            access.account,
            role=data.get("role") or "",
            user=data.get("user"),
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, access, forms, status=422)
    messages.success(
        request,
        _("Assigned “%(course)s” to %(who)s.")
        % {"course": assignment.course.title, "who": assignment.assignee_label},
    )
    return redirect("academy_progress", access.account.slug)


@require_POST
@account_view("academy.checklist")
def add_to_checklist(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    forms = _forms(access, request.POST, "checklist")
    form = forms[1]
    if form is None:
        messages.error(request, _("Start the account's onboarding first."))
        return _page(request, access, forms, status=409)
    if not form.is_valid():
        return _page(request, access, forms, status=422)
    data = form.cleaned_data
    try:
        link = services.add_course_to_checklist(
            data["course"],
            data["phase"].checklist,
            phase=data["phase"],
            assignee=data.get("assignee"),
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, access, forms, status=422)
    messages.success(
        request, _("Added “%(title)s” to the onboarding checklist.") % {"title": link.task.title}
    )
    return redirect("academy_progress", access.account.slug)
