from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

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
            and user.is_vendor  # type: ignore[union-attr]
            and not request.path.startswith(MFA_SETUP_PATHS)
            and not is_mfa_enabled(user)
        ):
            return redirect(reverse("mfa_index") + "?required=1")
        return self.get_response(request)
