"""One document: its download (through the tenancy rule, logged), its details page with the
edit form (name, folder, who sees it) and its deletion."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from portal.files import download as file_download

from .. import services
from ..figures import all_folders
from ..forms import DocumentForm
from ..models import Document
from .common import DOCUMENT_PAGE, after_write, get_document, refuse


@require_safe
@account_view("documents.view")
def download(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponseBase:
    """The file, to someone who may see it (an internal file is a 404 to customers); the
    download is written to the activity log."""
    document = get_document(access, pk)
    response = file_download(document.file, filename=document.name)
    services.record_download(document, acting_user=request.user)
    return response


def _form(access: AccountAccess, document: Document, data: Any = None) -> DocumentForm:
    return DocumentForm(
        data,
        folders=all_folders(access),
        vendor=access.can("documents.manage"),
        initial={
            "name": document.name,
            "folder": document.folder_id,
            "visibility": document.visibility,
        },
    )


def _back(document: Document) -> str:
    if document.folder_id:
        return reverse("documents_folder", args=[document.account.slug, document.folder_id])
    return reverse("documents", args=[document.account.slug])


@account_view("documents.view")
def document_detail(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    """A document's details; those who may change it edit its name, folder and visibility."""
    document = get_document(access, pk)
    may_change = services.may_change(access, document, request.user)
    if request.method == "POST":
        if not may_change:
            return refuse(
                request, _("Only the vendor and the person who uploaded it change a document."), 403
            )
        form = _form(access, document, request.POST)
        if form.is_valid():
            try:
                services.update_document(
                    document,
                    name=form.cleaned_data["name"],
                    folder=form.cleaned_data["folder"],
                    visibility=form.cleaned_data.get("visibility"),
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": document.name})
                return after_write(request, _back(document))
        context = {"access": access, "account": access.account, "document": document, "form": form}
        return render(request, DOCUMENT_PAGE, context, status=422)
    context = {
        "access": access,
        "account": access.account,
        "document": document,
        "form": _form(access, document) if may_change else None,
    }
    return render(request, DOCUMENT_PAGE, context)


@require_POST
@account_view("documents.upload")
def delete(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    document = get_document(access, pk)
    if not services.may_change(access, document, request.user):
        return refuse(
            request, _("Only the vendor and the person who uploaded it delete a document."), 403
        )
    back = _back(document)
    services.delete_document(document, acting_user=request.user)
    messages.success(request, _("“%(name)s” was deleted.") % {"name": document.name})
    return after_write(request, back)
