"""An update's image, served by the tenancy rule: to the people of an account it reached, and
to the vendor's staff (a draft's image is not for customers' eyes)."""

from __future__ import annotations

import mimetypes

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseBase
from django.shortcuts import get_object_or_404

from accounts.access import AccountAccess, account_view, vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..models import Update
from .update import get_update_for_viewer


def _serve(image: FieldFile) -> HttpResponseBase:
    if not image:
        raise Http404("This update has no image.")
    try:
        handle = image.open("rb")
    except FileNotFoundError as error:
        raise Http404("The image file is missing.") from error
    response = FileResponse(
        handle, content_type=mimetypes.guess_type(image.name or "")[0] or "application/octet-stream"
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@account_view("updates.view")
def update_image(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponseBase:
    return _serve(get_update_for_viewer(request, access, pk).image)


@vendor_view()
def console_update_image(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    return _serve(get_object_or_404(Update, pk=pk).image)
