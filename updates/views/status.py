"""Publishing a draft from its page, and unpublishing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from ..models import Update
from ..services import publish_update, unpublish_update


@require_POST
@vendor_view()
def update_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(Update, pk=pk)
    try:
        publish_update(update, acting_user=request.user)
    except ValidationError as error:
        return refuse(request, " ".join(error.messages))
    messages.success(request, _("“%(title)s” is published.") % {"title": update.title})
    return redirect("update_reach", update.pk)


@require_POST
@vendor_view()
def update_unpublish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(Update, pk=pk)
    try:
        unpublish_update(update, acting_user=request.user)
    except ValidationError as error:
        return refuse(request, " ".join(error.messages))
    messages.success(
        request,
        _("“%(title)s” is unpublished: no customer sees it now.") % {"title": update.title},
    )
    return redirect("update_reach", update.pk)
