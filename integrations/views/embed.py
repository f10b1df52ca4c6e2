"""The entry of the embedded hub: ``/embed/?token=…``, loaded in the product's iframe."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..services.embed import EmbedRefused, open_embedded_session


@require_GET
def embed_entry(request: HttpRequest) -> HttpResponse:
    try:
        account = open_embedded_session(request, request.GET.get("token", ""))
    except EmbedRefused as refusal:
        context = {"reason": refusal.reason, "detail": refusal.detail}
        return render(request, "integrations/embed_refused.html", context, status=403)
    # Served under /embed/ (integrations.middleware), so this is /embed/a/<slug>/.
    return redirect(reverse("account_home", args=[account.slug]))
