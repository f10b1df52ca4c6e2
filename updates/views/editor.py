"""Writing an update: a draft, then schedule or publish it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import vendor_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from ..figures import known_features
from ..forms import UpdateForm
from ..models import Status, Update
from ..services import may_publish, submit_update

DONE: dict[str, StrOrPromise] = {
    Status.DRAFT: gettext_lazy("“%(title)s” is saved as a draft."),
    Status.SCHEDULED: gettext_lazy("“%(title)s” is scheduled."),
    Status.PUBLISHED: gettext_lazy("“%(title)s” is published."),
}


@vendor_view()
def update_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _editor(request, Update())


@vendor_view()
def update_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(Update, pk=pk)
    if not update.is_editable:
        messages.info(request, _("Unpublish this update before you change it."))
        return redirect("update_reach", update.pk)
    return _editor(request, update)


def _editor(request: AuthenticatedHttpRequest, update: Update) -> HttpResponse:
    if not may_publish(request.user):
        raise PermissionDenied(_("Only the customer success team writes product updates."))
    form = UpdateForm(request.POST or None, request.FILES or None, instance=update)
    context = {"form": form, "update": update, "features": known_features()}
    if request.method != "POST":
        return render(request, "updates/editor.html", context)
    if form.is_valid():
        try:
            submit_update(
                form.instance,
                action=form.cleaned_data["action"],
                publish_at=form.cleaned_data.get("publish_at"),
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                str(DONE.get(update.status, _("“%(title)s” is saved."))) % {"title": update.title},
            )
            return redirect("update_reach", update.pk)
    return render(request, "updates/editor.html", context, status=422)
