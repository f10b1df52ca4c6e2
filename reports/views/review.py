"""A business review's page: what the CSM wrote, its PDF versions, making and publishing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from .. import services
from ..forms import PublishForm
from .archive import asked
from .common import get_review, visible_reports


@account_view("reports.view")
def review(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    item = get_review(access, pk)
    versions = visible_reports(access).filter(review=item).order_by("-version")
    context = {"access": access, "account": access.account, "review": item, "versions": versions}
    return render(request, "reports/review.html", context)


@require_POST
@account_view("reports.request")
def review_generate(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    item = get_review(access, pk)
    version, made_new = services.request_review(item, acting_user=request.user)
    return asked(request, version, made_new)


@require_POST
@account_view("reports.write")
def review_publish(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    item = get_review(access, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return refuse(request, gettext("Choose to publish the review or to take it back."))
    user = request.user
    if form.cleaned_data["publish"]:
        if services.publish_review(item, acting_user=user):
            messages.success(
                request,
                _(
                    "Published: %(account)s's executives and champions see it now, "
                    "and those who get report e-mails are told."
                )
                % {"account": access.account.name},
            )
    elif services.unpublish_review(item, acting_user=user):
        messages.info(request, _("Unpublished: the customer no longer sees this review."))
    return redirect(item)
