"""The customer's referral form (/a/<slug>/refer/): a company, a contact, a note; and the
referrals they made, with how far each has come."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..forms import ReferralForm
from ..models import Referral

PAGE = "advocacy/refer.html"


@account_view("advocacy.refer")
def refer(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = services.submit_referral(
            access.account, **form.cleaned_data, acting_user=request.user
        )
        messages.success(
            request, gettext("Thank you for referring {company}!").format(company=made.company)
        )
        return redirect("advocacy_refer", access.account.slug)
    mine = Referral.objects.filter(account=access.account, referred_by=request.user)[:20]
    status = 422 if form.is_bound else 200
    context = {"access": access, "account": access.account, "form": form, "mine": mine}
    return render(request, PAGE, context, status=status)
