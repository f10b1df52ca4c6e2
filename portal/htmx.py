"""The one place a view decides between a whole page and one named partial of it.

Fragments are named partials (django-template-partials) inside the screen's template: an htmx
request gets ``template#partial``, anything else the whole page, so every link and form still
works without JavaScript. A refusal an htmx request can meet is a 422 whose message the page
shows in its ``#notice`` region (the base template lets htmx swap 422 answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

REFUSAL_TEMPLATE = "portal/refusal.html"


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def render_partial(
    request: HttpRequest,
    template: str,
    partial: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """The named ``partial`` of ``template`` for htmx, the whole page otherwise."""
    name = f"{template}#{partial}" if is_htmx(request) else template
    return render(request, name, dict(context or {}), status=status)


def refuse(request: HttpRequest, message: str, *, status: int = 422) -> HttpResponse:
    """Say why a request was refused, where the person will read it.

    htmx gets the message retargeted into the page's ``#notice`` region (the element it
    targeted stays as it was); a plain request gets a page with the message and a way back.
    """
    if is_htmx(request):
        html = render_to_string(f"{REFUSAL_TEMPLATE}#notice", {"message": message}, request)
        response = HttpResponse(html, status=status)
        response["HX-Retarget"] = "#notice"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, REFUSAL_TEMPLATE, {"message": message}, status=status)


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    """After a write: htmx follows ``HX-Location`` without a full reload, a form post gets a 303."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Location"] = url
        return response
    response = HttpResponse(status=303)
    response["Location"] = url
    return response
