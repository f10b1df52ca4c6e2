"""A certificate PDF, through the tenancy rule: a person's own; the champion's and the
vendor's for everyone on the account; nobody else's (404, as if it did not exist)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from ..certificates import certificate_filename, certificate_pdf
from ..models import CoursePass
from ..services import may_see_person


@require_safe
@account_view("academy.view")
def certificate(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    found = get_object_or_404(
        CoursePass.objects.filter(account=access.account).select_related(
            "course", "user", "account"
        ),
        pk=pk,
    )
    if not may_see_person(access, request.user, found.user_id):
        raise Http404("No such certificate.")
    response = HttpResponse(certificate_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(found)}"'
    return response
