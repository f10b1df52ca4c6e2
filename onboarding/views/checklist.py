"""An account's onboarding checklist: the shared page, ticking, assigning, comments, edits."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors

from ..figures import checklist_view
from ..forms import (
    AssignForm,
    ChecklistTaskMoveForm,
    CommentForm,
    DoneForm,
    LadderForm,
    StartForm,
    TaskForm,
)
from ..models import Checklist, ChecklistTemplate, Task
from ..services import (
    StaleEdit,
    add_task,
    assign_task,
    comment_on_task,
    delete_task,
    may_work,
    move_task,
    set_task_done,
    start_onboarding,
    update_ladder,
    update_task,
)


def get_checklist(access: AccountAccess) -> Checklist:
    checklist = Checklist.objects.filter(account=access.account).first()
    if checklist is None:
        raise Http404("Onboarding has not started for this account.")
    checklist.account = access.account  # already loaded, with its owner
    return checklist


def get_task(access: AccountAccess, pk: int) -> Task:
    """A task of this account's checklist; customers never reach internal ones."""
    tasks = Task.objects.filter(checklist__account=access.account).select_related(
        "checklist", "assignee", "phase"
    )
    if access.is_customer:
        tasks = tasks.filter(internal=False)
    task = get_object_or_404(tasks, pk=pk)
    task.checklist.account = access.account
    return task


def page_context(request: HttpRequest, access: AccountAccess, **extra: Any) -> dict[str, Any]:
    checklist = (
        Checklist.objects.filter(account=access.account).select_related("started_by").first()
    )
    context: dict[str, Any] = {"access": access, "account": access.account, "checklist": checklist}
    if checklist is None:
        if access.can("onboarding.manage"):
            context["start_form"] = extra.pop("start_form", None) or StartForm(
                initial={"kickoff_date": None}
            )
            context["has_templates"] = ChecklistTemplate.objects.active().exists()
    else:
        checklist.account = access.account
        view = checklist_view(checklist, viewer_id=request.user.pk, customer=access.is_customer)
        context["view"] = view
        context["workable"] = {t.pk for t in view.tasks if may_work(access, t, request.user)}
        if access.can("onboarding.manage"):
            context["task_form"] = extra.pop("task_form", None) or TaskForm(
                checklist=checklist, initial={"client_token": uuid.uuid4()}
            )
            context["ladder_form"] = extra.pop("ladder_form", None) or LadderForm(
                instance=checklist
            )
    context.update(extra)
    return context


@account_view("onboarding.view")
def onboarding(request: HttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, "onboarding/onboarding.html", page_context(request, access))


@require_POST
@account_view("onboarding.manage")
def onboarding_start(request: HttpRequest, access: AccountAccess) -> HttpResponse:
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            start_onboarding(
                access.account,
                template=form.cleaned_data["template"],
                kickoff_date=form.cleaned_data["kickoff_date"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            for message in form.non_field_errors():
                messages.error(request, message)  # the start form is gone once a checklist exists
        else:
            messages.success(request, "Onboarding has started. The customer sees their tasks now.")
            return redirect("onboarding", access.account.slug)
    context = page_context(request, access, start_form=form)
    return render(request, "onboarding/onboarding.html", context, status=422)


@require_POST
@account_view("onboarding.work")
def task_done(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    if not may_work(access, task, request.user):
        raise PermissionDenied("This task is not yours to tick.")
    form = DoneForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Say done=1 or done=0.", status=400)
    set_task_done(task, form.cleaned_data["done"], acting_user=request.user)
    if request.htmx:  # type: ignore[attr-defined]
        # The task's row, plus the progress bars it moved (out-of-band).
        context = page_context(request, access)
        context["task"] = next(t for t in context["view"].tasks if t.pk == task.pk)
        context["phase_view"] = next(
            p for p in context["view"].phases if p.phase.pk == task.phase_id
        )
        return render(request, "onboarding/onboarding.html#task-done-response", context)
    return redirect("onboarding", access.account.slug)


@account_view("onboarding.view")
def task_detail(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    context = task_context(request, access, task)
    return render(request, "onboarding/task_detail.html", context)


def task_context(
    request: HttpRequest, access: AccountAccess, task: Task, **extra: Any
) -> dict[str, Any]:
    workable = may_work(access, task, request.user)
    context: dict[str, Any] = {
        "access": access,
        "account": access.account,
        "task": task,
        "comments": task.comments.select_related("author"),
        "workable": workable,
        "comment_form": CommentForm() if workable else None,
        "assign_form": AssignForm(task=task)
        if access.can("onboarding.assign") and (access.is_vendor or task.owner_side == "customer")
        else None,
        "edit_form": TaskForm(
            instance=task, checklist=task.checklist, initial={"version": task.version}
        )
        if access.can("onboarding.manage")
        else None,
    }
    context.update(extra)
    return context


@require_POST
@account_view("onboarding.assign")
def task_assign(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    if access.is_customer and task.owner_side != "customer":
        raise PermissionDenied("Vendor tasks are assigned by the vendor.")
    form = AssignForm(request.POST, task=task)
    if form.is_valid():
        try:
            assign_task(task, form.cleaned_data["assignee"], acting_user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The task was assigned.")
            return redirect("onboarding_task", access.account.slug, task.pk)
    context = task_context(request, access, task, assign_form=form)
    return render(request, "onboarding/task_detail.html", context, status=422)


@require_POST
@account_view("onboarding.work")
def task_comment(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    if not may_work(access, task, request.user):
        raise PermissionDenied("Only the people working this task comment on it.")
    form = CommentForm(request.POST)
    if form.is_valid():
        comment_on_task(task, form.cleaned_data["body"], acting_user=request.user)
        if request.htmx:  # type: ignore[attr-defined]
            context = task_context(request, access, task)
            return render(request, "onboarding/task_detail.html#comments", context)
        return redirect("onboarding_task", access.account.slug, task.pk)
    context = task_context(request, access, task, comment_form=form)
    template = (
        "onboarding/task_detail.html#comments" if request.htmx else "onboarding/task_detail.html"
    )  # type: ignore[attr-defined]
    return render(request, template, context, status=422)


@require_POST
@account_view("onboarding.manage")
def task_add(request: HttpRequest, access: AccountAccess) -> HttpResponse:
    checklist = get_checklist(access)
    form = TaskForm(request.POST, checklist=checklist)
    if form.is_valid():
        fields = {
            k: v for k, v in form.cleaned_data.items() if k not in ("version", "client_token")
        }
        add_task(
            checklist,
            fields=fields,
            client_token=form.cleaned_data["client_token"] or uuid.uuid4(),
            acting_user=request.user,
        )
        messages.success(request, f"“{fields['title']}” was added.")
        return redirect("onboarding", access.account.slug)
    context = page_context(request, access, task_form=form)
    return render(request, "onboarding/onboarding.html", context, status=422)


@account_view("onboarding.manage")
def task_edit(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    if request.method != "POST":
        return redirect("onboarding_task", access.account.slug, task.pk)
    form = TaskForm(request.POST, instance=Task.objects.get(pk=task.pk), checklist=task.checklist)
    if form.is_valid():
        fields = {
            k: v for k, v in form.cleaned_data.items() if k not in ("version", "client_token")
        }
        try:
            update_task(
                task,
                fields=fields,
                version=form.cleaned_data["version"] or 0,
                acting_user=request.user,
            )
        except StaleEdit as stale:
            current = stale.task
            # The form keeps what this person typed (with the new version, so a second save
            # goes through); the page shows the task as the other person left it.
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = TaskForm(
                data, instance=Task.objects.get(pk=current.pk), checklist=task.checklist
            )
            form.is_valid()
            context = task_context(request, access, current, edit_form=form, stale=current)
            return render(request, "onboarding/task_detail.html", context, status=409)
        messages.success(request, "The task was saved.")
        return redirect("onboarding_task", access.account.slug, task.pk)
    context = task_context(request, access, task, edit_form=form)
    return render(request, "onboarding/task_detail.html", context, status=422)


@require_POST
@account_view("onboarding.manage")
def task_delete(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    delete_task(task, acting_user=request.user)
    messages.success(request, f"“{task.title}” was removed.")
    return redirect("onboarding", access.account.slug)


@require_POST
@account_view("onboarding.manage")
def task_move(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    form = ChecklistTaskMoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Say direction=up or direction=down.", status=400)
    move_task(task, form.cleaned_data["direction"], acting_user=request.user)
    return redirect(f"{task.checklist.get_absolute_url()}#task-{task.pk}")


@require_POST
@account_view("onboarding.manage")
def ladder(request: HttpRequest, access: AccountAccess) -> HttpResponse:
    checklist = get_checklist(access)
    form = LadderForm(request.POST, instance=Checklist.objects.get(pk=checklist.pk))
    if form.is_valid():
        update_ladder(
            checklist,
            fields={f: form.cleaned_data[f] for f in LadderForm.Meta.fields},
            acting_user=request.user,
        )
        messages.success(request, "The reminder ladder was saved.")
        return redirect("onboarding", access.account.slug)
    context = page_context(request, access, ladder_form=form)
    return render(request, "onboarding/onboarding.html", context, status=422)
