"""``/metrics``: the Prometheus scrape, behind a bearer token and, optionally, a network list."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from .metrics import exposition


def from_allowed_network(request: HttpRequest) -> bool:
    networks = settings.METRICS_ALLOWED_NETWORKS
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """404 while metrics are off; 401 without a token, 403 with a wrong one or from elsewhere."""
    if not settings.METRICS_ENABLED:
        raise Http404
    if not from_allowed_network(request):
        return HttpResponse("Not from an allowed network.\n", status=403, content_type="text/plain")
    token = settings.METRICS_TOKEN
    if token:  # none only in the first look (settings refuse to start production without one)
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not sent:
            response = HttpResponse("A bearer token is needed.\n", status=401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        if not hmac.compare_digest(sent.strip().encode(), token.encode()):
            return HttpResponse("Wrong token.\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
