"""The task screen: one task of an account's checklist, its discussion (with @mentions), its
assignee, and the CSM's edit of it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from portal.errors import StaleEdit
from portal.htmx import is_htmx, render_partial
from portal.paging import page_of

from ..figures import form_answers, form_progress
from ..forms import AssignForm, CommentForm, TaskAnswerForm, TaskForm
from ..models import Task, TaskKind
from ..services import (
    assign_task,
    comment_on_task,
    delete_task,
    may_assign,
    may_comment,
    may_fill_form,
    may_work,
    update_task,
)
from . import TASK_PAGE, after_write, forbidden, get_task


def edit_form(task: Task, data: Any = None) -> TaskForm:
    """The CSM's edit form, on its own copy of the task (a failed form leaves its values on
    its instance). Its ids start with ``edit-``: the page also has the assign form."""
    return TaskForm(
        data,
        instance=Task.objects.get(pk=task.pk),
        checklist=task.checklist,
        initial={"version": task.version},
        auto_id="edit-%s",
    )


COMMENTS_PER_PAGE = 50


def task_context(
    request: AuthenticatedHttpRequest, access: AccountAccess, task: Task, **extra: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "access": access,
        "account": access.account,
        "task": task,
        "comments": page_of(
            request, task.comments.select_related("author"), COMMENTS_PER_PAGE, last_first=True
        ),
        "workable": may_work(access, task, request.user),
        "comment_form": CommentForm() if may_comment(access, task) else None,
        "assign_form": AssignForm(task=task) if may_assign(access, task) else None,
        "edit_form": edit_form(task) if access.can("onboarding.manage") else None,
    }
    if task.kind == TaskKind.FORM:
        answered = form_answers(task)
        context["form_answers"] = answered
        context["form_progress"] = form_progress(answered)
        context["answer_form"] = (
            TaskAnswerForm(questions=[a.field for a in answered])
            if may_fill_form(access, task, request.user)
            else None
        )
        context["exports_forms"] = access.can("onboarding.export_forms")
    context |= extra
    return context


@account_view("onboarding.view")
def task_detail(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    return render(request, TASK_PAGE, task_context(request, access, task))


@require_POST
@account_view("onboarding.assign")
def task_assign(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    if not may_assign(access, task):
        return forbidden(request, _("Vendor tasks are assigned by the vendor."))
    form = AssignForm(request.POST, task=task)
    if form.is_valid():
        try:
            assign_task(task, form.cleaned_data["assignee"], acting_user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The task was assigned."))
            return after_write(request, task.get_absolute_url())
    context = task_context(request, access, task, assign_form=form)
    return render(request, TASK_PAGE, context, status=422)


@require_POST
@account_view("onboarding.work")
def task_comment(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    """Comment on a task; htmx gets the discussion back with the new comment in it."""
    task = get_task(access, pk)
    if not may_comment(access, task):
        return forbidden(request, _("Only the people working on this onboarding comment on it."))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_on_task(task, form.cleaned_data["body"], acting_user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if is_htmx(request):
                context = task_context(request, access, task)
                return render_partial(request, TASK_PAGE, "comments", context)
            return redirect(f"{task.get_absolute_url()}#comments")
    context = task_context(request, access, task, comment_form=form)
    return render_partial(request, TASK_PAGE, "comments", context, status=422)


@account_view("onboarding.manage")
def task_edit(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    if request.method != "POST":
        return redirect(task.get_absolute_url())
    form = edit_form(task, request.POST)
    if not form.is_valid():
        context = task_context(request, access, task, edit_form=form)
        return render(request, TASK_PAGE, context, status=422)
    fields = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "client_token")}
    try:
        update_task(
            task, fields=fields, version=form.cleaned_data["version"], acting_user=request.user
        )
    except StaleEdit as stale:
        current = stale.current
        current.checklist = task.checklist
        # The form keeps what this person typed (with the new version, so a second save goes
        # through); the page shows the task as the other person left it.
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = edit_form(current, data)
        form.is_valid()
        context = task_context(request, access, current, edit_form=form, stale=current)
        return render(request, TASK_PAGE, context, status=409)
    messages.success(request, _("The task was saved."))
    return after_write(request, task.get_absolute_url())


@require_POST
@account_view("onboarding.manage")
def task_delete(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    delete_task(task, acting_user=request.user)
    messages.success(request, _("“%(title)s” was removed.") % {"title": task.title})
    return after_write(request, task.checklist.get_absolute_url())
