"""A folder's rename and deletion (the vendor's; a folder with anything in it stays)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..forms import FolderForm
from .common import after_write, get_folder, message_of, refuse


@require_POST
@account_view("documents.manage")
def folder_rename(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    folder = get_folder(access, pk)
    form = FolderForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("Give the folder a name."))
    try:
        services.rename_folder(folder, name=form.cleaned_data["name"], acting_user=request.user)
    except ValidationError as error:
        return refuse(request, message_of(error))
    messages.success(request, _("The folder is now called “%(name)s”.") % {"name": folder.name})
    return after_write(request, folder.get_absolute_url())


@require_POST
@account_view("documents.manage")
def folder_delete(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    folder = get_folder(access, pk)
    parent = folder.parent
    try:
        services.delete_folder(folder, acting_user=request.user)
    except ValidationError as error:
        return refuse(request, message_of(error))
    messages.success(request, _("The folder “%(name)s” was deleted.") % {"name": folder.name})
    back = parent.get_absolute_url() if parent else reverse("documents", args=[access.account.slug])
    return after_write(request, back)
