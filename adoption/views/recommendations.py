"""The CS team's recommendations for every account, per feature."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..figures import known_features
from ..forms import RecommendationForm
from ..models import Recommendation
from .errors import add_errors


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view()
def recommendations(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RecommendationForm(request.POST if request.method == "POST" else None, for_account=False)
    status = 200
    if request.method == "POST":
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
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("Recommendation added for {feature}.").format(feature=data["feature"]),
                )
                return redirect("adoption_recommendations")
        status = 422
    general = Recommendation.objects.filter(account=None).select_related("course")
    context = {
        "form": form,
        "by_feature": [(f, list(recs)) for f, recs in groupby(general, key=lambda r: r.feature)],
        "known_features": known_features(),
    }
    return render(request, "adoption/recommendations.html", context, status=status)


@require_POST
@vendor_view()
def recommendation_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rec = get_object_or_404(Recommendation.objects.filter(account=None), pk=pk)
    services.remove_recommendation(rec, acting_user=request.user)
    messages.success(request, gettext("“{title}” removed.").format(title=rec.title))
    return redirect("adoption_recommendations")
