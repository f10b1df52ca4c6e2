"""The documents area of an account: its folders, its files a page at a time, the upload form
and the new-folder form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.forms import add_service_errors
from accounts.http import AuthenticatedHttpRequest
from portal.params import positive_int

from .. import services
from ..figures import AreaPage, FileRow, area_page, folder_path, listing
from ..forms import FolderForm, UploadForm
from ..models import Folder
from ..rules import allowed_extensions, max_bytes
from .common import AREA_PAGE, PER_PAGE, after_write, get_folder


def area_context(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    folder: Folder | None,
    **extra: Any,
) -> dict[str, Any]:
    may_upload = services.may_upload(access)
    area, documents = _area_page(request, access, folder)
    context: dict[str, Any] = {
        "access": access,
        "account": access.account,
        "folder": folder,
        "path": folder_path(folder),
        "folders": area.folders,
        "documents": documents,
        "upload_form": UploadForm(
            account=access.account,
            vendor=access.is_vendor,
            initial={"folder": folder.pk if folder else None},
        )
        if may_upload
        else None,
        "folder_form": FolderForm() if may_upload else None,
        "manages": access.can("documents.manage"),
        "sees_internal": services.may_see_internal(access),
        "allowed": allowed_extensions(),
        "max_bytes": max_bytes(),
    }
    context |= extra
    return context


@require_safe
@account_view("documents.view")
def documents(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, AREA_PAGE, area_context(request, access, None))


@require_safe
@account_view("documents.view")
def folder(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    return render(request, AREA_PAGE, area_context(request, access, get_folder(access, pk)))


@require_POST
@account_view("documents.upload")
def upload(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    """Upload a file to the area (or one of its folders). A refused file re-renders the page
    with the reason and a 422; nothing is saved."""
    form = UploadForm(request.POST, request.FILES, account=access.account, vendor=access.is_vendor)
    target: Folder | None = None
    if form.is_valid():
        target = form.cleaned_data["folder"]
        upload = form.cleaned_data["file"]
        try:
            document = services.upload_document(
                access.account,
                upload=upload,
                filename=upload.name or "",
                size=upload.size or 0,
                visibility=form.cleaned_data.get("visibility") or "shared",
                folder=target,
                as_customer=access.is_customer,
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” was uploaded.") % {"name": document.name})
            return after_write(request, target.get_absolute_url() if target else _area_url(access))
    context = area_context(request, access, target, upload_form=form)
    return render(request, AREA_PAGE, context, status=422)


@require_POST
@account_view("documents.upload")
def folder_add(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = FolderForm(request.POST)
    parent_pk = request.POST.get("parent") or ""
    parent = get_folder(access, int(parent_pk)) if parent_pk.isdigit() else None
    if form.is_valid():
        try:
            created = services.create_folder(
                access.account,
                name=form.cleaned_data["name"],
                parent=parent,
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The folder “%(name)s” was created.") % {"name": created.name}
            )
            return after_write(request, created.get_absolute_url())
    context = area_context(request, access, parent, folder_form=form)
    return render(request, AREA_PAGE, context, status=422)


def _area_page(
    request: AuthenticatedHttpRequest, access: AccountAccess, folder: Folder | None
) -> tuple[AreaPage, Page[FileRow]]:
    """The folders and the page of files ``?page=`` names (read as :func:`portal.paging.page_of`
    reads it: junk is a 404, past the end is the last page), in one query."""
    raw = request.GET.get("page")
    number = 1 if raw is None else positive_int(raw)
    if number is None:
        raise Http404("No such page.")
    area = area_page(access, folder, (number - 1) * PER_PAGE, PER_PAGE)
    if not area.documents and number > 1:  # past the end: the last page
        number = max(1, -(-listing(access, folder).count() // PER_PAGE))
        area = area_page(access, folder, (number - 1) * PER_PAGE, PER_PAGE)
    paginator: Paginator[FileRow] = Paginator(area.documents, PER_PAGE)
    paginator.count = area.total
    return area, Page(area.documents, number, paginator)


def _area_url(access: AccountAccess) -> str:
    return reverse("documents", args=[access.account.slug])
