"""An account's feature adoption: its licensed features, used or not, against its segment, with
the recommendations for the unused ones; the CS team sets the licence and curates there."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.formatting import number
from portal.htmx import is_htmx, refuse

from .. import services
from ..figures import account_adoption, known_features
from ..forms import LicenceForm, RecommendationForm
from ..models import CampaignTarget, Recommendation
from .errors import add_errors

PAGE = "adoption/account.html"


def _context(access: AccountAccess, **forms: Any) -> dict[str, Any]:
    adoption = account_adoption(access.account, timezone.localdate())
    context: dict[str, Any] = {"access": access, "adoption": adoption}
    if not access.can("adoption.curate"):
        return context
    known = known_features()
    licensed = [row.feature for row in adoption.features]
    licence_form = forms.get("licence_form") or LicenceForm(
        initial={"features": licensed}, known=sorted(set(known) | set(licensed))
    )
    recommendation_form = forms.get("recommendation_form") or RecommendationForm()
    return {
        **context,
        "known_features": known,
        "licence_form": licence_form,
        "recommendation_form": recommendation_form,
    }


@require_safe
@account_view("adoption.view")
def adoption_page(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, PAGE, _context(access))


@require_POST
@account_view("adoption.curate")
def adoption_licence(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    known = sorted(set(known_features()) | set(request.POST.getlist("features")))
    form = LicenceForm(request.POST, known=known)
    if not form.is_valid():
        return render(request, PAGE, _context(access, licence_form=form), status=422)
    count = services.set_licensed_features(access.account, form.chosen(), acting_user=request.user)
    messages.success(
        request,
        ngettext("{name} licenses {n} feature.", "{name} licenses {n} features.", count).format(
            name=access.account.name, n=number(count)
        ),
    )
    return redirect("adoption_page", access.account.slug)


@require_POST
@account_view("adoption.curate")
def adoption_recommend(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = RecommendationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_recommendation(
                feature=data["feature"],
                kind=data["kind"],
                title=data["title"],
                url=data["url"],
                course=data["course"],
                body=data["body"],
                pinned=data["pinned"],
                account=access.account,
                acting_user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                gettext("Recommendation added for {feature}.").format(feature=data["feature"]),
            )
            return redirect("adoption_page", access.account.slug)
    if is_htmx(request):
        return refuse(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return render(request, PAGE, _context(access, recommendation_form=form), status=422)


@require_POST
@account_view("adoption.curate")
def adoption_recommendation_remove(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    rec = get_object_or_404(Recommendation.objects.filter(account=access.account), pk=pk)
    services.remove_recommendation(rec, acting_user=request.user)
    messages.success(request, gettext("“{title}” removed.").format(title=rec.title))
    return redirect("adoption_page", access.account.slug)


@require_POST
@account_view("account.view")
def adoption_card_dismiss(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    # Only the person's own card: anyone else's is "not found", as if it did not exist.
    target = get_object_or_404(
        CampaignTarget.objects.filter(account=access.account, user=request.user), pk=pk
    )
    services.dismiss_card(target, acting_user=request.user)
    if is_htmx(request):
        return HttpResponse("")
    return redirect("account_home", access.account.slug)
