"""One log line per request on the ``portal.request`` logger, with a request id.

The id is the proxy's ``X-Request-ID`` when it sent a plain one, else a new one; the response
carries it back in the same header, so a person reporting a problem can quote it. In production
the root handler writes JSON (settings.LOGGING), and the line's fields are keys of its own:
request_id, method, path, view, status, duration_ms, user_id, account. The first look prints a
readable line instead, and skips static files.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from .metrics import view_name

log = logging.getLogger("portal.request")

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def request_id(request: HttpRequest) -> str:
    sent = request.headers.get("X-Request-ID", "")
    return sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def user_id(request: HttpRequest) -> int | None:
    """The signed-in person's id, without loading the session for a view that did not."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.skip_static = settings.DEBUG
        self.static_url = settings.STATIC_URL or "/static/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id(request)
        request.request_id = rid  # type: ignore[attr-defined]
        start = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - start) * 1000, 1)
        response["X-Request-ID"] = rid
        if self.skip_static and request.path.startswith(self.static_url):
            return response
        match = getattr(request, "resolver_match", None)
        account = match.kwargs.get("slug") if match is not None else None
        fields = {
            "request_id": rid,
            "method": request.method,
            "path": request.path,
            "view": view_name(request),
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": user_id(request),
            "account": account,
        }
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s %s %s %sms view=%s user=%s account=%s id=%s",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                fields["view"],
                fields["user_id"] or "-",
                account or "-",
                rid,
                extra=fields,
            )
        return response
