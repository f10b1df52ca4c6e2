"""The test identity provider's URLs: django-oauth-toolkit under /o/, a log-in form."""

from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def no_icon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)  # a browser asks; a 404 would be logged as an error


urlpatterns = [
    path("favicon.ico", no_icon),
    path("login/", LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
