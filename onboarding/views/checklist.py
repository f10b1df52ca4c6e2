"""The checklist screen: an account's onboarding, its progress, ticking tasks in place, and the
CSM's edits of the list (start it, add and move tasks, the reminder ladder)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial
from portal.paging import page_of

from ..figures import checklist_summary, phase_tasks
from ..forms import ChecklistTaskMoveForm, DoneForm, LadderForm, StartForm, TaskForm
from ..models import Checklist, ChecklistPhase, ChecklistTemplate, Task
from ..services import (
    add_task,
    may_see_internal,
    may_work,
    move_task,
    set_task_done,
    start_onboarding,
    update_ladder,
)
from . import CHECKLIST_PAGE, FORMS_PAGE, after_write, forbidden, get_checklist, get_task

TASKS_PER_PAGE = 50


def task_rows(
    request: AuthenticatedHttpRequest, access: AccountAccess, tasks: Iterable[Task], today: date
) -> list[Task]:
    """The tasks of a list, each with its links and what the viewer may do with it worked out
    once here rather than per row in the template (a checklist can run to hundreds)."""
    slug = access.account.slug
    base = reverse("onboarding_task", args=[slug, 0]).removesuffix("0/")
    rows = list(tasks)
    for task in rows:
        task.url = f"{base}{task.pk}/"
        task.workable = may_work(access, task, request.user)
        task.overdue = task.is_overdue(today)
    return rows


def page_context(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    *,
    open_phase: ChecklistPhase | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The checklist page: its figures and phases (each phase's tasks load on their own, from
    :func:`phase`), or the start form. ``open_phase`` is listed in the page itself (the phase's
    own address asked for without htmx)."""
    checklist = (
        Checklist.objects.filter(account=access.account).select_related("started_by").first()
    )
    manages = access.can("onboarding.manage")
    context: dict[str, Any] = {
        "access": access,
        "account": access.account,
        "checklist": checklist,
        "manages": manages,
    }
    if checklist is None:
        if manages:
            context["start_form"] = extra.pop("start_form", None) or StartForm(
                initial={"kickoff_date": None}
            )
            context["has_templates"] = ChecklistTemplate.objects.active().exists()
    else:
        checklist.account = access.account
        view = checklist_summary(
            checklist, viewer_id=request.user.pk, with_internal=may_see_internal(access)
        )
        context["view"] = view
        context["today"] = view.today
        if open_phase is not None:
            context |= phase_page(request, access, open_phase, view.today)

    context |= extra
    return context


def phase_page(
    request: AuthenticatedHttpRequest, access: AccountAccess, phase: ChecklistPhase, today: date
) -> dict[str, Any]:
    """One page of a phase's tasks (``?page=``), ready to list."""
    tasks = phase_tasks(phase, with_internal=may_see_internal(access))
    page = page_of(request, tasks, TASKS_PER_PAGE)
    return {
        "open_phase": phase,
        "tasks_page": page,
        "task_list": task_rows(request, access, page.object_list, today),
        "tasks_target": f"#phase-tasks-{phase.pk}",
        "today": today,
    }


def get_phase(access: AccountAccess, phase_pk: int) -> ChecklistPhase:
    return get_object_or_404(ChecklistPhase, checklist__account=access.account, pk=phase_pk)


@account_view("onboarding.view")
def onboarding(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, CHECKLIST_PAGE, page_context(request, access))


@account_view("onboarding.view")
def phase(request: AuthenticatedHttpRequest, access: AccountAccess, phase_pk: int) -> HttpResponse:
    """A phase's tasks, a page at a time: the part of the checklist htmx loads when the phase
    comes into view; without htmx, the checklist page with this phase listed."""
    open_phase = get_phase(access, phase_pk)
    if is_htmx(request):
        context = {
            "access": access,
            "account": access.account,
            "manages": access.can("onboarding.manage"),
            **phase_page(request, access, open_phase, timezone.localdate()),
        }
        return render(request, f"{CHECKLIST_PAGE}#phase-tasks", context)
    return render(request, CHECKLIST_PAGE, page_context(request, access, open_phase=open_phase))


@account_view("onboarding.manage")
def checklist_forms(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    """The CSM's forms (add a task, the reminder ladder), loaded when they come into view."""
    checklist = get_checklist(access)
    context = {"access": access, "account": access.account, "checklist": checklist}
    context |= manage_forms(checklist)
    return render_partial(request, FORMS_PAGE, "manage-forms", context)


def manage_forms(checklist: Checklist, **given: Any) -> dict[str, Any]:
    return {
        "task_form": given.get("task_form")
        or TaskForm(checklist=checklist, initial={"client_token": uuid.uuid4()}),
        "ladder_form": given.get("ladder_form") or LadderForm(instance=checklist),
    }


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
            messages.success(
                request, _("Onboarding has started. The customer sees their tasks now.")
            )
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
        return forbidden(request, _("This task is not yours to tick."))
    form = DoneForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("Say whether the task is done (done=1) or not (done=0)."))
    set_task_done(task, form.cleaned_data["done"], acting_user=request.user)
    if not is_htmx(request):
        return redirect(f"{task.checklist.get_absolute_url()}#task-{task.pk}")
    context = page_context(request, access)
    view = context["view"]
    shown = phase_tasks(task.phase, with_internal=may_see_internal(access)).filter(pk=task.pk)
    context["task"] = task_rows(request, access, shown, view.today)[0]
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
        messages.success(request, _("“%(title)s” was added.") % {"title": task.title})
        return after_write(request, f"{checklist.get_absolute_url()}#task-{task.pk}")
    context = {"access": access, "account": access.account, "checklist": checklist}
    context |= manage_forms(checklist, task_form=form)
    return render(request, FORMS_PAGE, context, status=422)


@require_POST
@account_view("onboarding.manage")
def task_move(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    task = get_task(access, pk)
    form = ChecklistTaskMoveForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("Move a task up or down."))
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
        messages.success(request, _("The reminder ladder was saved."))
        return after_write(request, checklist.get_absolute_url())
    context = {"access": access, "account": access.account, "checklist": checklist}
    context |= manage_forms(checklist, ladder_form=form)
    return render(request, FORMS_PAGE, context, status=422)
