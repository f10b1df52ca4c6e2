"""A form task on the task screen: the customer answers its questions; the vendor reads the
answers and downloads them as CSV."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.csv_export import csv_download
from portal.htmx import render_partial

from ..figures import task_form_rows
from ..forms import TaskAnswerForm
from ..models import TaskKind
from ..services import answer_form, may_fill_form
from . import TASK_PAGE, after_write, forbidden, get_task
from .task import task_context


@require_POST
@account_view("onboarding.fill_forms")
def task_answer(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    """Answer a form task, or edit its answers. A wrong or missing answer: the form again,
    with what was typed and a message by each question (422); nothing is saved."""
    task = get_task(access, pk)
    if not may_fill_form(access, task, request.user):
        return forbidden(
            request, _("Only the champion or the person it is assigned to answers it.")
        )
    was_done = task.is_done
    form = TaskAnswerForm(request.POST, questions=list(task.form_fields.select_related("answer")))
    if form.is_valid():
        try:
            answer_form(task, answers=form.answers, acting_user=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Your answers were saved.") if was_done else _("Thank you: the task is done."),
            )
            return after_write(request, f"{task.get_absolute_url()}#form")
    context = task_context(request, access, task, answer_form=form)
    return render_partial(request, TASK_PAGE, "task-form", context, status=422)


@require_safe
@account_view("onboarding.export_forms")
def task_answers_csv(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponseBase:
    task = get_task(access, pk)
    if task.kind != TaskKind.FORM:
        raise Http404("This task has no form.")
    name = f"{access.account.slug}-{slugify(task.title)[:60] or 'form'}-answers.csv"
    return csv_download(task_form_rows(task), name)
