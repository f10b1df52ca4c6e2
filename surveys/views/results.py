"""The results page and its CSV export (vendor staff; their portfolio's responses only)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import vendor_view

from ..forms import ResultsFilterForm
from ..results import export_rows, results_for


@vendor_view()
def results(request: HttpRequest) -> HttpResponse:
    form = ResultsFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    query = {k: v for k, v in request.GET.items() if k != "page"}
    context = {
        "form": form,
        "results": results_for(request.user, filters, request.GET.get("page", 1)),
        "query": urlencode(query),
    }
    template = "surveys/results.html#results" if request.htmx else "surveys/results.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@vendor_view()
def export(request: HttpRequest) -> StreamingHttpResponse:
    filters = ResultsFilterForm(request.GET or None, user=request.user).filters()
    response = StreamingHttpResponse(export_rows(request.user, filters), content_type="text/csv")
    name = f"survey-responses-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
