"""Today: the CSM's open tasks, overdue, due today and upcoming, grouped by account; done,
snoozed, handed over and noted in place. A CS admin also sees the team's load and may look at
any one person's tasks (``?assignee=<id>``); a CSM always sees their own."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from portal.htmx import is_htmx, refuse, render_partial

from ..figures import task_row, team_load, today_board
from ..forms import ReassignForm, SnoozeForm, TaskNoteForm
from ..models import CSMTask
from ..notices import unread_account_items
from ..services.csm_tasks import (
    SNOOZES,
    TaskRefused,
    add_task_note,
    assignable_staff,
    complete_task,
    may_see_every_task,
    reassign_task,
    snooze_task,
    visible_tasks,
)

TEMPLATE = "playbooks/today.html"

# A pk no task has, replaced in each reversed URL by the task's own: one reverse() per action
# for the whole page instead of two per action per row.
_ANY_PK = 2_147_483_647
_ACTIONS = {
    "complete": "task_complete",
    "snooze": "task_snooze",
    "reassign": "task_reassign",
}


def _with_actions(tasks: Iterable[CSMTask], staff: list[User]) -> None:
    """Give each task row its action URLs (``task.urls``) and the options of its hand-over
    list with its assignee selected (``task.handover_options``), made once for the page."""
    patterns = {key: reverse(name, args=[_ANY_PK]) for key, name in _ACTIONS.items()}
    options = str(
        format_html_join(
            "", '<option value="{}">{}</option>', ((p.pk, p.display_name) for p in staff)
        )
    )
    for task in tasks:
        pk = str(task.pk)
        task.urls = {k: url.replace(str(_ANY_PK), pk) for k, url in patterns.items()}  # type: ignore[attr-defined]
        mine = str(format_html('<option value="{}">', task.assignee_id))
        task.handover_options = mark_safe(  # type: ignore[attr-defined]  # noqa: S308
            options.replace(mine, mine[:-1] + " selected>", 1)
        )


@vendor_view()
def today(request: AuthenticatedHttpRequest) -> HttpResponse:
    if is_htmx(request) and request.GET.get("part") == "inbox":
        # The account updates again, after one was marked read through the inbox.
        notices = unread_account_items(request.user)
        return render(request, "playbooks/_notices.html", {"notices": notices})
    day = timezone.localdate()
    every = may_see_every_task(request.user)
    tasks = visible_tasks(request.user).showing_on(day)
    staff = list(assignable_staff())
    chosen = None
    if every:
        assignee = request.GET.get("assignee", "")
        if assignee:
            chosen = next((s for s in staff if str(s.pk) == assignee), None)
            if chosen is None:
                raise Http404(gettext("No such person on the team."))
            tasks = tasks.filter(assignee=chosen)
    else:
        # A CSM's Today is their own: someone else's id in ?assignee= is ignored.
        tasks = tasks.filter(assignee=request.user)
    sections, page = today_board(tasks, day, request.GET.get("page"))
    _with_actions(
        (task for section in sections for group in section.groups for task in group.tasks), staff
    )
    context = {
        "sections": sections,
        "page": page,
        "today": day,
        "every": every,
        "staff": staff,
        "chosen": chosen,
        "team": list(team_load(day)) if every else None,
        "snoozes": SNOOZES,
        "nav_section": "today",
        "notices": unread_account_items(request.user),
    }
    return render_partial(request, TEMPLATE, "board", context)


def _task_for(request: AuthenticatedHttpRequest, pk: int) -> CSMTask:
    return get_object_or_404(
        visible_tasks(request.user).select_related("account", "assignee"), pk=pk
    )


def _row(request: AuthenticatedHttpRequest, task: CSMTask, done: str) -> HttpResponse:
    """htmx swaps the task's row; a plain form post goes back to Today."""
    if not is_htmx(request):
        return redirect("today")
    _with_actions([task], list(assignable_staff()))
    context = {"task": task, "today": timezone.localdate(), "snoozes": SNOOZES, "done": done}
    return render_partial(request, TEMPLATE, "task", context)


@require_POST
@vendor_view()
def task_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk)
    try:
        complete_task(task, acting_user=request.user)
    except TaskRefused as refusal:
        return refuse(request, str(refusal))
    return _row(request, task, "completed")


@require_POST
@vendor_view()
def task_snooze(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return refuse(request, gettext("Snooze a task for a day or a week."))
    try:
        snooze_task(task, days=form.cleaned_data["days"], acting_user=request.user)
    except TaskRefused as refusal:
        return refuse(request, str(refusal))
    return _row(request, task, "snoozed")


@require_POST
@vendor_view()
def task_reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _task_for(request, pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        return refuse(request, gettext("Choose someone on the customer success team."))
    try:
        reassign_task(task, assignee=form.cleaned_data["assignee"], acting_user=request.user)
    except TaskRefused as refusal:
        return refuse(request, str(refusal))
    return _row(request, task, "reassigned")


@require_POST
@vendor_view()
def task_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A note under a task, from Today or from the account page's panel."""
    task = _task_for(request, pk)
    form = TaskNoteForm(request.POST)
    if not form.is_valid():
        return refuse(request, form.message())
    try:
        add_task_note(task, body=form.cleaned_data["body"], acting_user=request.user)
    except TaskRefused as refusal:
        return refuse(request, str(refusal))
    if not is_htmx(request):
        if form.cleaned_data["back_to"] == "account":
            return redirect("account_home", task.account.slug)
        return redirect("today")
    context = {"task": task_row(task.pk), "back_to": form.cleaned_data["back_to"] or "today"}
    return render_partial(request, TEMPLATE, "task-notes", context)
