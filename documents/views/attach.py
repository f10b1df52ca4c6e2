"""Attach a file to a task, a plan item or a comment (the attachments part those pages show).
The target is looked up through the account and what the viewer may see: another account's
task, or an internal one asked for by a customer, is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..forms import AttachForm
from .common import after_write, message_of, refuse


def target_for(access: AccountAccess, kind: str, pk: int) -> Any:
    model = services.TARGET_MODELS[kind]
    account = access.account
    scope = {
        "task": {"checklist__account": account},
        "task_comment": {"task__checklist__account": account},
        "objective": {"plan__account": account},
        "milestone": {"plan__account": account},
        "action_item": {"plan__account": account},
        "plan_comment": {"plan__account": account},
    }[kind]
    found: Any = model._default_manager.filter(pk=pk, **scope).first()
    if found is None or (services.target_internal(found) and not services.may_see_internal(access)):
        raise Http404("Nothing to attach a file to.")
    return found


def back_to(target: Any) -> str:
    if hasattr(target, "get_absolute_url"):
        return str(target.get_absolute_url())
    owner = getattr(target, "task", None) or getattr(target, "plan", None)
    return str(owner.get_absolute_url()) if owner is not None else "/"


@require_POST
@account_view("documents.attach")
def attach(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        if "kind" in form.errors or "target" in form.errors:
            raise Http404("Nothing to attach a file to.")
        return refuse(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    target = target_for(access, form.cleaned_data["kind"], form.cleaned_data["target"])
    if not services.may_attach(access, target, request.user):
        return refuse(request, _("You may not attach files to this."), 403)
    upload = form.cleaned_data["file"]
    try:
        document = services.upload_document(
            access.account,
            upload=upload,
            filename=upload.name or "",
            size=upload.size or 0,
            attach_to=target,
            as_customer=access.is_customer,
            acting_user=request.user,
        )
    except ValidationError as error:
        return refuse(request, message_of(error))
    messages.success(request, _("“%(name)s” was attached.") % {"name": document.name})
    return after_write(request, back_to(target))
