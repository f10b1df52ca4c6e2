"""A lesson's attached file, served through the tenancy rule (an account's page) or to the
vendor (the console's editor): never by an address that works for anyone."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from accounts.access import AccountAccess, account_view, vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..models import Course, LessonFile
from .common import file_of, published_course


def _serve(attached: LessonFile) -> FileResponse:
    try:
        handle = attached.file.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404("This file is missing.") from exc
    # Images show in the lesson; anything else downloads.
    return FileResponse(
        handle,
        as_attachment=not attached.is_image,
        filename=attached.name,
        content_type=attached.content_type or "application/octet-stream",
    )


@require_safe
@account_view("academy.view")
def lesson_file(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int, file_pk: int
) -> FileResponse:
    return _serve(file_of(published_course(pk), file_pk))


@require_safe
@vendor_view()
def console_file(request: AuthenticatedHttpRequest, pk: int, file_pk: int) -> FileResponse:
    return _serve(file_of(get_object_or_404(Course, pk=pk), file_pk))
