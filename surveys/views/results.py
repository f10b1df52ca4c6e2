"""The results page and its CSV export (vendor staff; their portfolio's responses only)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial

from ..figures import results_for, window_start
from ..forms import ResultsFilterForm
from ..responses import comments, export_rows
from ..services import may_see_every_account
from .common import page_of

COMMENTS_PER_PAGE = 20


@vendor_view()
def results(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ResultsFilterForm(request.GET, user=request.user)
    filters = form.filters()
    if form.errors and is_htmx(request):
        return refuse(request, " ".join(form.problems()))
    context = {
        "form": form.shown(),
        "problems": form.problems(),
        "results": results_for(request.user, filters),
        "since": window_start(filters.days),
        "comments": page_of(request, comments(request.user, filters), COMMENTS_PER_PAGE),
        "every_account": may_see_every_account(request.user),
    }
    status = 422 if form.errors else 200
    return render_partial(request, "surveys/results.html", "results", context, status=status)


@vendor_view()
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    form = ResultsFilterForm(request.GET, user=request.user)
    filters = form.filters()
    if form.errors:
        return refuse(request, " ".join(form.problems()))
    response = StreamingHttpResponse(export_rows(request.user, filters), content_type="text/csv")
    name = f"survey-responses-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
