"""The checklist screen: an account's onboarding, its progress, ticking tasks in place, and the
CSM's edits of the list (start it, add and move tasks, the reminder ladder)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial

from ..figures import checklist_view
from ..forms import ChecklistTaskMoveForm, DoneForm, LadderForm, StartForm, TaskForm
from ..models import Checklist, ChecklistTemplate
from ..services import (
    add_task,
    may_see_internal,
    may_work,
    move_task,
    set_task_done,
    start_onboarding,
    update_ladder,
)
from . import CHECKLIST_PAGE, after_write, forbidden, get_checklist, get_task


def page_context(
    request: AuthenticatedHttpRequest, access: AccountAccess, **extra: Any
) -> dict[str, Any]:
    checklist = (
        Checklist.objects.filter(account=access.account).select_related("started_by").first()
    )
    manages = access.can("onboarding.manage")
    context: dict[str, Any] = {"access": access, "account": access.account, "checklist": checklist}
    if checklist is None:
        if manages:
            context["start_form"] = extra.pop("start_form", None) or StartForm(
                initial={"kickoff_date": None}
            )
            context["has_templates"] = ChecklistTemplate.objects.active().exists()
    else:
        checklist.account = access.account
        view = checklist_view(
            checklist, viewer_id=request.user.pk, with_internal=may_see_internal(access)
        )
        context["view"] = view
        context["workable"] = {t.pk for t in view.tasks if may_work(access, t, request.user)}
        if manages:
            context["task_form"] = extra.pop("task_form", None) or TaskForm(
                checklist=checklist, initial={"client_token": uuid.uuid4()}
            )
            context["ladder_form"] = extra.pop("ladder_form", None) or LadderForm(
                instance=checklist
            )
    context |= extra
    return context


@account_view("onboarding.view")
def onboarding(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, CHECKLIST_PAGE, page_context(request, access))


@require_POST
@account_view("onboarding.manage")
def onboarding_start(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            checklist = start_onboarding(
                access.account,
                template=form.cleaned_data["template"],
                kickoff_date=form.cleaned_data["kickoff_date"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            # The start form is gone once a checklist exists: its errors go to the messages.
            # An ErrorList yields its messages as text (its stub says ValidationError too).
            for message in form.non_field_errors():
                messages.error(request, str(message))
        else:
            messages.success(request, "Onboarding has started. The customer sees their tasks now.")
            return after_write(request, checklist.get_absolute_url())
    context = page_context(request, access, start_form=form)
    return render(request, CHECKLIST_PAGE, context, status=422)


@require_POST
@account_view("onboarding.work")
def task_done(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    """Tick or untick a task. htmx gets the task's row back, with the progress it moved and
    the viewer's own list swapped out-of-band."""
    task = get_task(access, pk)
    if not may_work(access, task, request.user):
        return forbidden(request, "This task is not yours to tick.")
    form = DoneForm(request.POST)
    if not form.is_valid():
        return refuse(request, "Say whether the task is done (done=1) or not (done=0).")
    set_task_done(task, form.cleaned_data["done"], acting_user=request.user)
    if not is_htmx(request):
        return redirect(f"{task.checklist.get_absolute_url()}#task-{task.pk}")
    context = page_context(request, access)
    view = context["view"]
    context["task"] = next(t for t in view.tasks if t.pk == task.pk)
    context["phase_view"] = next(p for p in view.phases if p.phase.pk == task.phase_id)
    return render_partial(request, CHECKLIST_PAGE, "task-done-response", context)


@require_POST
@account_view("onboarding.manage")
def task_add(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    checklist = get_checklist(access)
    form = TaskForm(request.POST, checklist=checklist)
    if form.is_valid():
        fields = {
            k: v for k, v in form.cleaned_data.items() if k not in ("version", "client_token")
        }
        task = add_task(
            checklist,
            fields=fields,
            client_token=form.cleaned_data["client_token"] or uuid.uuid4(),
            acting_user=request.user,
        )
        messages.success(request, f"“{task.title}” was added.")
        return after_write(request, f"{checklist.get_absolute_url()}#task-{task.pk}")
    context = page_context(request, access, task_form=form)
    return render(request, CHECKLIST_PAGE, context, status=422)


@require_POST
@account_view("onboarding.manage")
def task_move(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    form = ChecklistTaskMoveForm(request.POST)
    if not form.is_valid():
        return refuse(request, "Move a task up or down.")
    move_task(task, form.cleaned_data["direction"], acting_user=request.user)
    return after_write(request, f"{task.checklist.get_absolute_url()}#task-{task.pk}")


@require_POST
@account_view("onboarding.manage")
def ladder(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    checklist = get_checklist(access)
    form = LadderForm(request.POST, instance=Checklist.objects.get(pk=checklist.pk))
    if form.is_valid():
        update_ladder(
            checklist,
            fields={f: form.cleaned_data[f] for f in LadderForm.Meta.fields},
            acting_user=request.user,
        )
        messages.success(request, "The reminder ladder was saved.")
        return after_write(request, checklist.get_absolute_url())
    context = page_context(request, access, ladder_form=form)
    return render(request, CHECKLIST_PAGE, context, status=422)
