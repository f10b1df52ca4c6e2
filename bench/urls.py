"""The portal's URLs plus ``/bench/bare/``, the baseline every page is measured against."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    """No database, no template: what Django and gunicorn cost on their own."""
    return HttpResponse("ok")


urlpatterns = [*portal_urlpatterns, path("bench/bare/", bare)]
