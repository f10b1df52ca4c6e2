"""CSV import in the CSM console: upload, preview, confirm, and the result."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account

from ..forms import ImportForm
from ..services.imports import (
    COLUMNS,
    KIND_LABELS,
    PREVIEW_ROWS,
    check,
    confirm_import,
    decode,
    imported,
    stash,
)


def _page(
    request: AuthenticatedHttpRequest, form: ImportForm, status: int = 200, **extra: object
) -> HttpResponse:
    context = {"form": form, "columns": COLUMNS, "kind_labels": KIND_LABELS, **extra}
    return render(request, "insights/import.html", context, status=status)


@vendor_view()
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=422)
    kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
    text, encoding_error = decode(upload.read())
    if text is None:
        return _page(request, form, status=422, errors=[encoding_error], file_name=upload.name)
    checked = check(kind, text, Account.objects.visible_to(request.user))
    if not checked.ok:
        return _page(request, form, status=422, errors=checked.errors, file_name=upload.name)
    token = stash(request.session, kind=kind, name=upload.name, text=text)
    return render(
        request,
        "insights/import_preview.html",
        {
            "checked": checked,
            "token": token,
            "file_name": upload.name,
            "kind_label": KIND_LABELS[kind],
            "preview_rows": PREVIEW_ROWS,
        },
    )


@require_POST
@vendor_view()
def import_confirm(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    confirmation = confirm_import(
        request.session, token, Account.objects.visible_to(request.user), acting_user=request.user
    )
    if confirmation is None:
        raise Http404(gettext("This import is no longer waiting: upload the file again."))
    if confirmation.refused is not None:
        return _page(
            request,
            ImportForm(),
            status=422,
            errors=confirmation.refused.errors,
            file_name=confirmation.name,
        )
    if confirmation.already:
        return _result(request, token, status=409)
    return redirect("import_result", token)


def _result(request: AuthenticatedHttpRequest, token: str, status: int = 200) -> HttpResponse:
    done = imported(request.session, token)
    if done is None:
        raise Http404(gettext("This session has no import with this id."))
    names = Account.objects.visible_to(request.user).in_bulk([a for a, _ in done.accounts])
    accounts = [(names.get(account_id), rows) for account_id, rows in done.accounts]
    context = {"done": done, "accounts": accounts, "already": status == 409}
    return render(request, "insights/import_result.html", context, status=status)


@require_GET
@vendor_view()
def import_result(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    return _result(request, token)
