"""The CSM's checklist templates: /console/templates/. CSMs and CS admins only.

Templates belong to no account, so every vendor may edit every template; phases and tasks are
always looked up through the template in the URL, so an id from another template is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial

from .. import services
from ..forms import FormFieldForm, PhaseForm, TemplateForm, TemplateMoveForm, TemplateTaskForm
from ..models import Checklist, ChecklistTemplate, TemplateFormField, TemplatePhase, TemplateTask

EDIT_PAGE = "onboarding/template_edit.html"
TASK_PAGE = "onboarding/template_task_form.html"


def _count(model: type[TemplatePhase | TemplateTask | Checklist], path: str) -> Coalesce:
    """How many ``model`` rows reach the template through ``path``: one subquery, no join
    that would multiply the other counts."""
    rows = (
        model.objects.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _list_context(form: TemplateForm | None = None) -> dict[str, Any]:
    templates = ChecklistTemplate.objects.annotate(
        phase_count=_count(TemplatePhase, "template"),
        task_count=_count(TemplateTask, "phase__template"),
        checklist_count=_count(Checklist, "template"),
    ).order_by("name", "pk")
    return {
        "active": [t for t in templates if t.archived_at is None],
        "archived": sorted(
            (t for t in templates if t.archived_at is not None),
            key=lambda t: t.archived_at,
            reverse=True,
        ),
        "form": form or TemplateForm(),
    }


def _template(pk: int) -> ChecklistTemplate:
    return get_object_or_404(ChecklistTemplate, pk=pk)


def _phase(template: ChecklistTemplate, phase_pk: int) -> TemplatePhase:
    return get_object_or_404(template.phases.select_related("template"), pk=phase_pk)


def _task(template: ChecklistTemplate, task_pk: int) -> TemplateTask:
    return get_object_or_404(
        TemplateTask.objects.filter(phase__template=template).select_related("phase__template"),
        pk=task_pk,
    )


@dataclass(frozen=True)
class PhaseOnPage:
    """A phase as the edit page shows it: its tasks in order and its two forms (rename it,
    add a task to it)."""

    phase: TemplatePhase
    rename_form: PhaseForm
    task_form: TemplateTaskForm
    task_list: list[TemplateTask]

    @property
    def pk(self) -> int:
        return self.phase.pk

    @property
    def name(self) -> str:
        return self.phase.name


def _edit_context(
    template: ChecklistTemplate,
    *,
    form: TemplateForm | None = None,
    phase_form: PhaseForm | None = None,
    rename_forms: dict[int, PhaseForm] | None = None,
    task_forms: dict[int, TemplateTaskForm] | None = None,
    announcement: str = "",
) -> dict[str, Any]:
    """The edit page: the template's phases in order, each with its tasks and its forms.

    A form that failed replaces its blank one: ``form`` (the template's details),
    ``phase_form`` (add a phase), ``rename_forms`` and ``task_forms`` (by phase pk).
    """
    rename_forms = rename_forms or {}
    task_forms = task_forms or {}
    phases = [
        PhaseOnPage(
            phase=phase,
            rename_form=rename_forms.get(phase.pk)
            or PhaseForm(instance=phase, auto_id=f"phase-{phase.pk}-%s"),
            task_form=task_forms.get(phase.pk) or TemplateTaskForm(auto_id=f"add-{phase.pk}-%s"),
            task_list=list(phase.tasks.all()),
        )
        for phase in template.phases.prefetch_related("tasks__form_fields")
    ]
    return {
        "template": template,
        "phases": phases,
        "task_total": sum(len(p.task_list) for p in phases),
        "checklist_count": template.checklists.count(),
        "form": form or TemplateForm(instance=template),
        "phase_form": phase_form or PhaseForm(auto_id="new-phase-%s"),
        "announcement": announcement,
    }


def _back_to(template: ChecklistTemplate, anchor: str = "") -> HttpResponse:
    return redirect(template.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _after_move(
    request: AuthenticatedHttpRequest, template: ChecklistTemplate, anchor: str, announcement: str
) -> HttpResponse:
    """htmx swaps the phases in place (focus stays on the button); a plain form reloads."""
    if is_htmx(request):
        context = _edit_context(template, announcement=announcement)
        return render_partial(request, EDIT_PAGE, "phases", context)
    return _back_to(template, anchor)


# Templates --------------------------------------------------------------------------------------


@require_safe
@vendor_view()
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "onboarding/template_list.html", _list_context())


@require_POST
@vendor_view()
def template_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TemplateForm(request.POST)
    if not form.is_valid():
        return render(request, "onboarding/template_list.html", _list_context(form), status=422)
    template = services.create_template(**form.cleaned_data, acting_user=request.user)
    messages.success(
        request, _("%(name)s was created. Add its first phase next.") % {"name": template.name}
    )
    return redirect(template)


@vendor_view()
def template_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = _template(pk)
    if request.method != "POST":
        return render(request, EDIT_PAGE, _edit_context(template))
    form = TemplateForm(request.POST, instance=_template(pk))
    if not form.is_valid():
        return render(request, EDIT_PAGE, _edit_context(template, form=form), status=422)
    services.update_template(template, fields=form.cleaned_data, acting_user=request.user)
    messages.success(request, _("The template was saved."))
    return redirect(template)


@require_POST
@vendor_view()
def template_copy(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    copy = services.copy_template(_template(pk), acting_user=request.user)
    messages.success(
        request, _("You are now editing the copy, %(name)s. Rename it below.") % {"name": copy.name}
    )
    return redirect(copy)


@require_POST
@vendor_view()
def template_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = _template(pk)
    services.set_archived(template, True, acting_user=request.user)
    messages.success(
        request,
        _(
            "%(name)s was archived: it is no longer offered when onboarding starts. "
            "Checklists already started from it are unchanged."
        )
        % {"name": template.name},
    )
    return redirect("template_list")


@require_POST
@vendor_view()
def template_restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = _template(pk)
    services.set_archived(template, False, acting_user=request.user)
    messages.success(
        request, _("%(name)s was restored and can be used again.") % {"name": template.name}
    )
    return redirect("template_list")


# Phases -----------------------------------------------------------------------------------------


@require_POST
@vendor_view()
def phase_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = _template(pk)
    form = PhaseForm(request.POST, auto_id="new-phase-%s")
    if not form.is_valid():
        return render(request, EDIT_PAGE, _edit_context(template, phase_form=form), status=422)
    phase = services.add_phase(template, name=form.cleaned_data["name"], acting_user=request.user)
    messages.success(request, _("%(name)s was added. Add its tasks next.") % {"name": phase.name})
    return _back_to(template, f"phase-{phase.pk}")


@require_POST
@vendor_view()
def phase_edit(request: AuthenticatedHttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    template = _template(pk)
    phase = _phase(template, phase_pk)
    form = PhaseForm(
        request.POST, instance=_phase(template, phase_pk), auto_id=f"phase-{phase.pk}-%s"
    )
    if not form.is_valid():
        context = _edit_context(template, rename_forms={phase.pk: form})
        return render(request, EDIT_PAGE, context, status=422)
    services.rename_phase(phase, name=form.cleaned_data["name"], acting_user=request.user)
    messages.success(request, _("The phase is now called %(name)s.") % {"name": phase.name})
    return _back_to(template, f"phase-{phase.pk}")


@require_POST
@vendor_view()
def phase_move(request: AuthenticatedHttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    template = _template(pk)
    phase = _phase(template, phase_pk)
    form = TemplateMoveForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("Move a phase up or down."))
    direction = form.cleaned_data["direction"]
    services.move(phase, template.phases.all(), direction)
    moved = _("%(name)s moved up.") if direction == "up" else _("%(name)s moved down.")
    return _after_move(request, template, f"phase-{phase.pk}", moved % {"name": phase.name})


@require_POST
@vendor_view()
def phase_delete(request: AuthenticatedHttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    template = _template(pk)
    phase = _phase(template, phase_pk)
    services.delete_phase(phase, acting_user=request.user)
    messages.success(request, _("%(name)s and its tasks were deleted.") % {"name": phase.name})
    return _back_to(template)


# Tasks ------------------------------------------------------------------------------------------


@vendor_view()
def template_task_add(request: AuthenticatedHttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    template = _template(pk)
    phase = _phase(template, phase_pk)
    form = TemplateTaskForm(request.POST or None)
    context = {"template": template, "phase": phase, "form": form}
    if request.method != "POST":
        return render(request, TASK_PAGE, context)
    if not form.is_valid():
        return render(request, TASK_PAGE, context, status=422)
    task = services.add_template_task(phase, fields=form.task_fields, acting_user=request.user)
    messages.success(
        request,
        _("“%(title)s” was added to %(phase)s.") % {"title": task.title, "phase": phase.name},
    )
    return _back_to(template, f"task-{task.pk}")


def question_forms(
    task: TemplateTask, *, failed: FormFieldForm | None = None, failed_pk: int | None = None
) -> dict[str, Any]:
    """The form-fields part of a template task's page: each question with its edit form, and
    the form adding one. ``failed`` replaces the blank form it came from (``failed_pk``: the
    question it edits; none: the add form)."""

    def edit_form(field: TemplateFormField) -> FormFieldForm:
        if failed is not None and failed_pk == field.pk:
            return failed
        # On its own copy: a failed form leaves its bad values on its instance.
        return FormFieldForm(instance=TemplateFormField(pk=field.pk, **{
            f: getattr(field, f) for f in FormFieldForm.Meta.fields
        }), auto_id=f"field-{field.pk}-%s")  # fmt: skip

    return {
        "questions": [(field, edit_form(field)) for field in task.form_fields.all()],
        "field_form": failed
        if failed is not None and failed_pk is None
        else FormFieldForm(auto_id="new-field-%s", initial={"required": True}),
        "open_field": failed_pk,
    }


@vendor_view()
def template_task_edit(request: AuthenticatedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    template = _template(pk)
    task = _task(template, task_pk)
    # The form gets its own copy: a failed form leaves its bad values on its instance.
    form = TemplateTaskForm(
        request.POST or None, instance=_task(template, task_pk), template=template
    )
    context = {"template": template, "phase": task.phase, "task": task, "form": form}
    context |= question_forms(task)
    if request.method != "POST":
        return render(request, TASK_PAGE, context)
    if not form.is_valid():
        return render(request, TASK_PAGE, context, status=422)
    services.update_template_task(task, fields=form.task_fields, acting_user=request.user)
    messages.success(request, _("“%(title)s” was saved.") % {"title": task.title})
    return _back_to(template, f"task-{task.pk}")


@require_POST
@vendor_view()
def template_task_move(request: AuthenticatedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    template = _template(pk)
    task = _task(template, task_pk)
    form = TemplateMoveForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("Move a task up or down."))
    direction = form.cleaned_data["direction"]
    services.move(task, task.phase.tasks.all(), direction)
    moved = _("“%(title)s” moved up.") if direction == "up" else _("“%(title)s” moved down.")
    return _after_move(request, template, f"task-{task.pk}", moved % {"title": task.title})


@require_POST
@vendor_view()
def template_task_delete(request: AuthenticatedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    template = _template(pk)
    task = _task(template, task_pk)
    services.delete_template_task(task, acting_user=request.user)
    messages.success(request, _("“%(title)s” was deleted.") % {"title": task.title})
    return _back_to(template, f"phase-{task.phase_id}")
