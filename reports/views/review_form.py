"""Writing a business review: a new one, or changes to one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..forms import ReviewForm
from .common import get_review


@account_view("reports.write")
def review_create(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = ReviewForm(request.POST) if request.method == "POST" else ReviewForm.for_last_quarter()
    if request.method == "POST" and form.is_valid():
        review = services.create_review(
            access.account,
            acting_user=request.user,
            **form.cleaned_data,
        )
        messages.success(request, _("Review saved. Make its PDF to check it, then publish it."))
        return redirect(review)
    status = 422 if request.method == "POST" else 200
    context = {"access": access, "account": access.account, "form": form}
    return render(request, "reports/review_form.html", context, status=status)


@account_view("reports.write")
def review_edit(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    review = get_review(access, pk)
    form = ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        services.edit_review(
            review,
            acting_user=request.user,
            **form.cleaned_data,
        )
        messages.success(request, _("Saved. Make the PDF again to include the changes."))
        return redirect(review)
    status = 422 if request.method == "POST" else 200
    context = {"access": access, "account": access.account, "form": form, "review": review}
    return render(request, "reports/review_form.html", context, status=status)
