from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import get_exception_response
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import get_resolver, get_urlconf, reverse
from django.utils.cache import patch_cache_control

from .services import record_page_view

# Pages a member of staff without two-factor authentication can still reach: setting it up,
# logging out, static files.
MFA_SETUP_PATHS = ("/auth/", "/static/", "/healthz")


class RequireStaffMFAMiddleware:
    """When ``PORTAL_STAFF_MFA_REQUIRED`` is on, vendor staff set up MFA before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.PORTAL_STAFF_MFA_REQUIRED
            and user.is_authenticated
            and user.is_vendor
            and not request.path.startswith(MFA_SETUP_PATHS)
            and not is_mfa_enabled(user)
        ):
            return redirect(reverse("mfa_index") + "?required=1")
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Nothing shown to a signed-in person is kept by a shared cache, or by the browser's.

    A response with no Cache-Control gets ``private, no-store``. One a view set itself (a file
    download that the browser may keep for an hour, say) keeps its rule, made private unless it
    already forbids storing: an account's files are never public.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        cache_control = response.get("Cache-Control", "")
        if not cache_control:
            response["Cache-Control"] = "private, no-store"
        elif "no-store" not in cache_control and "private" not in cache_control:
            patch_cache_control(response, private=True)  # also drops a "public"
        return response


class RefusalMiddleware:
    """A refusal (``PermissionDenied``) is answered with the 403 page and logged once.

    Django logs a ``PermissionDenied`` that reaches it with the exception's traceback, though a
    refusal is the tenancy rule working, not a fault. Answered here, the response is logged by
    Django's request handler as one WARNING line ("Forbidden: /a/acme/edit/"), as for any 4xx.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PermissionDenied):
            return None
        return get_exception_response(request, get_resolver(get_urlconf()), 403, exception)


class EngagementMiddleware:
    """Counts a customer's page of their account's portal (``/a/<slug>/…``), once it is shown.

    Only a full page read with GET and answered 200 with HTML counts: not HEAD, an htmx
    fragment, a file download, the API or static files. Which account and role it was comes from
    ``@account_view`` (``request.account_access``), so any other request costs nothing here, and
    the session is never touched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        access = getattr(request, "account_access", None)
        if (
            access is not None
            and request.method == "GET"
            and response.status_code == 200
            and not getattr(request, "htmx", False)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            record_page_view(request.user, access)  # type: ignore[arg-type]
        return response
