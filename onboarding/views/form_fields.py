"""The questions of a template's form task, edited in place on the template task's page
(htmx swaps the ``form-fields`` part; without JavaScript each form posts and comes back), and
the answers of every account started from a template, as CSV."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account
from portal.csv_export import csv_download
from portal.htmx import is_htmx, refuse, render_partial

from .. import services
from ..figures import template_form_rows
from ..forms import FormFieldForm, TemplateMoveForm, TemplateTaskForm
from ..models import ChecklistTemplate, TemplateFormField, TemplateTask
from .templates import TASK_PAGE, question_forms


def _task(pk: int, task_pk: int) -> TemplateTask:
    return get_object_or_404(
        TemplateTask.objects.filter(phase__template_id=pk).select_related("phase__template"),
        pk=task_pk,
    )


def _field(task: TemplateTask, field_pk: int) -> TemplateFormField:
    field = get_object_or_404(task.form_fields.all(), pk=field_pk)
    field.task = task
    return field


def fields_response(
    request: AuthenticatedHttpRequest,
    task: TemplateTask,
    *,
    failed: FormFieldForm | None = None,
    failed_pk: int | None = None,
    announcement: str = "",
) -> HttpResponse:
    """The one answer of every view here: the task's questions with their forms (a failed
    one in place of the blank form it came from, with a 422), as the ``form-fields`` part for
    htmx or the whole page otherwise."""
    template = task.phase.template
    context = {
        "template": template,
        "phase": task.phase,
        "task": task,
        "form": TemplateTaskForm(instance=task, template=template),
        "announcement": announcement,
    }
    context |= question_forms(task, failed=failed, failed_pk=failed_pk)
    status = 422 if failed is not None else 200
    return render_partial(request, TASK_PAGE, "form-fields", context, status=status)


def _done(request: AuthenticatedHttpRequest, task: TemplateTask, message: str) -> HttpResponse:
    if is_htmx(request):
        return fields_response(request, task, announcement=message)
    messages.success(request, message)
    return redirect(f"{task.phase.template.get_absolute_url()}tasks/{task.pk}/#form-fields")


@require_POST
@vendor_view()
def template_field_add(request: AuthenticatedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    task = _task(pk, task_pk)
    form = FormFieldForm(request.POST, auto_id="new-field-%s")
    if not form.is_valid():
        return fields_response(request, task, failed=form)
    field = services.add_template_form_field(
        task, fields=form.cleaned_data, acting_user=request.user
    )
    return _done(request, task, _("“%(label)s” was added to the form.") % {"label": field.label})


@require_POST
@vendor_view()
def template_field_edit(
    request: AuthenticatedHttpRequest, pk: int, task_pk: int, field_pk: int
) -> HttpResponse:
    task = _task(pk, task_pk)
    field = _field(task, field_pk)
    form = FormFieldForm(
        request.POST,
        instance=TemplateFormField.objects.get(pk=field.pk),
        auto_id=f"field-{field.pk}-%s",
    )
    if not form.is_valid():
        return fields_response(request, task, failed=form, failed_pk=field.pk)
    services.update_template_form_field(field, fields=form.cleaned_data, acting_user=request.user)
    return _done(request, task, _("“%(label)s” was saved.") % {"label": field.label})


@require_POST
@vendor_view()
def template_field_move(
    request: AuthenticatedHttpRequest, pk: int, task_pk: int, field_pk: int
) -> HttpResponse:
    task = _task(pk, task_pk)
    field = _field(task, field_pk)
    form = TemplateMoveForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("Move a question up or down."))
    direction = form.cleaned_data["direction"]
    services.move_template_form_field(field, direction, acting_user=request.user)
    moved = _("“%(label)s” moved up.") if direction == "up" else _("“%(label)s” moved down.")
    return _done(request, task, moved % {"label": field.label})


@require_POST
@vendor_view()
def template_field_delete(
    request: AuthenticatedHttpRequest, pk: int, task_pk: int, field_pk: int
) -> HttpResponse:
    task = _task(pk, task_pk)
    field = _field(task, field_pk)
    services.delete_template_form_field(field, acting_user=request.user)
    return _done(
        request, task, _("“%(label)s” was removed from the form.") % {"label": field.label}
    )


@require_safe
@vendor_view()
def template_form_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """Every account's answers to the template's forms: only the accounts the viewer may see."""
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    accounts = Account.objects.visible_to(request.user)
    name = (
        f"{slugify(template.name)[:60] or 'template'}-answers-{timezone.localdate():%Y-%m-%d}.csv"
    )
    return csv_download(template_form_rows(template, accounts), name)
