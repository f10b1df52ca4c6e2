"""Onboarding's screens, one module each: the checklist (``checklist``), one task (``task``),
the portfolio (``portfolio``) and the template console (``templates``). The look-ups and the
refusal they share are here."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from accounts.access import AccountAccess
from portal import htmx

from ..models import Checklist, Task
from ..services import may_see_internal

CHECKLIST_PAGE = "onboarding/onboarding.html"
TASK_PAGE = "onboarding/task_detail.html"
FORMS_PAGE = "onboarding/checklist_forms.html"


def get_checklist(access: AccountAccess) -> Checklist:
    checklist = Checklist.objects.filter(account=access.account).first()
    if checklist is None:
        raise Http404("Onboarding has not started for this account.")
    checklist.account = access.account  # already loaded, with its owner
    return checklist


def get_task(access: AccountAccess, pk: int) -> Task:
    """A task of this account's checklist; customers never reach internal ones (404)."""
    tasks = Task.objects.filter(checklist__account=access.account).select_related(
        "checklist", "assignee", "completed_by", "phase"
    )
    if not may_see_internal(access):
        tasks = tasks.filter(internal=False)
    task = get_object_or_404(tasks, pk=pk)
    task.checklist.account = access.account
    return task


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """The viewer's role may not do this to this task: a 403 page, or for htmx (which shows
    only 422 answers) the message in the page's notice."""
    return htmx.refuse(request, message, status=422 if htmx.is_htmx(request) else 403)


def after_write(request: HttpRequest, url: str) -> HttpResponse:
    """Where a successful write goes next: htmx follows ``HX-Location``, a form is redirected."""
    return htmx.redirect(request, url) if htmx.is_htmx(request) else redirect(url)
