"""The CS admin's playbook e-mails: the list, a new one, editing one and a preview filled in
with sample data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import EmailTemplateForm
from ..models import EmailTemplate
from ..services.emails import MERGE_FIELDS, SAMPLE, preview, save_email_template

FORM_PAGE = "playbooks/email_form.html"


def _context(**extra: Any) -> dict[str, Any]:
    fields = [("{" + name + "}", said, SAMPLE[name]) for name, said in MERGE_FIELDS.items()]
    return {"merge_fields": fields, "nav_section": "settings", **extra}


def _save(request: AuthenticatedHttpRequest, form: EmailTemplateForm) -> EmailTemplate | None:
    """The form's template saved, or None with the refusal's reasons on the form."""
    if not form.is_valid():
        return None
    try:
        return save_email_template(form.instance, acting_user=request.user)
    except ValidationError as refusal:
        for field, errors in refusal.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return None


@require_GET
@vendor_view(admin_only=True)
def email_templates(request: AuthenticatedHttpRequest) -> HttpResponse:
    templates = EmailTemplate.objects.order_by("name")
    return render(request, "playbooks/email_list.html", _context(templates=templates))


@vendor_view(admin_only=True)
def email_template_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmailTemplateForm(request.POST or None)
    if request.method != "POST":
        return render(request, FORM_PAGE, _context(form=form))
    template = _save(request, form)
    if template is None:
        return render(request, FORM_PAGE, _context(form=form), status=422)
    messages.success(
        request,
        _("“%(template)s” was saved. Playbooks can send it now.") % {"template": template.name},
    )
    return redirect("email_template_edit", template.pk)


@vendor_view(admin_only=True)
def email_template_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(EmailTemplate, pk=pk)
    form = EmailTemplateForm(request.POST or None, instance=template)
    if request.method != "POST":
        return render(request, FORM_PAGE, _context(form=form, template=template))
    saved = _save(request, form)
    if saved is None:
        unchanged = get_object_or_404(EmailTemplate, pk=pk)
        return render(request, FORM_PAGE, _context(form=form, template=unchanged), status=422)
    messages.success(request, _("“%(saved)s” was saved.") % {"saved": saved.name})
    return redirect("email_template_edit", saved.pk)


@require_GET
@vendor_view(admin_only=True)
def email_template_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(EmailTemplate, pk=pk)
    return render(
        request,
        "playbooks/email_preview.html",
        _context(template=template, email=preview(template)),
    )
