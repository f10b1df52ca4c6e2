"""CSV import in the CSM console: upload, preview, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.models import Account

from ..imports import (
    COLUMNS,
    KIND_LABELS,
    PREVIEW_ROWS,
    ImportForm,
    check,
    decode,
    forget,
    import_rows,
    stash,
    unstash,
)


def _page(
    request: HttpRequest, form: ImportForm, status: int = 200, **extra: object
) -> HttpResponse:
    context = {"form": form, "columns": COLUMNS, "kind_labels": KIND_LABELS, **extra}
    return render(request, "insights/import.html", context, status=status)


@vendor_view()
def import_upload(request: HttpRequest) -> HttpResponse:
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
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    kept = unstash(request.session, token)
    if kept is None:
        raise Http404("This import is no longer waiting: upload the file again.")
    checked = check(kept["kind"], kept["text"], Account.objects.visible_to(request.user))
    forget(request.session)
    if not checked.ok:  # the portfolio changed since the preview
        return _page(
            request, ImportForm(), status=422, errors=checked.errors, file_name=kept["name"]
        )
    written = import_rows(checked, acting_user=request.user, file_name=kept["name"])
    accounts = len(checked.accounts)
    messages.success(
        request,
        f"Imported {written:,} {KIND_LABELS[checked.kind].lower()} rows from {kept['name']} "
        f"for {accounts} account{'s' if accounts != 1 else ''}.",
    )
    return redirect("import_upload")
