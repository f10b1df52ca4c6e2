"""The shell: the home page that routes each role, and the health check."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Account

log = logging.getLogger(__name__)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each person to where their work starts."""
    user = request.user
    if user.is_vendor:  # the CSM's day starts with their tasks; CS admins see the team's too
        return redirect("today")
    accounts = Account.objects.visible_to(user)
    last = request.session.get("last_account")
    account = (accounts.filter(slug=last).first() if last else None) or accounts.first()
    if account is None:
        return render(request, "portal/no_account.html")
    return redirect("account_home", account.slug)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 only when the database (and, with a broker configured, the broker) answers."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("health check: database unreachable: %s", exc)
        checks["database"] = "unreachable"
    if settings.CELERY_BROKER_URL:
        from .celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=0, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:
            log.warning("health check: broker unreachable: %s", exc)
            checks["broker"] = "unreachable"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", **checks}, status=200 if healthy else 503
    )
