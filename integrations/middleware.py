"""The portal mounted a second time under ``/embed/``, for the vendor's product to frame.

Like a WSGI ``SCRIPT_NAME`` mount: a request for ``/embed/a/acme/plan/`` is served by the same
view, under the same tenancy rule, as ``/a/acme/plan/``, with ``/embed/`` as the script prefix
so that every link the page makes (``reverse``, ``{% url %}``, htmx posts, redirects) stays
inside the frame. ``/embed/`` itself is the entry that takes the signed token.

What differs on the embed paths:

* Cookies: the embed has its own session and CSRF cookies (``portal_embed_session``,
  ``portal_embed_csrftoken``), scoped to ``/embed/`` and ``SameSite=None; Secure; Partitioned``
  so that the browser sends them inside a frame on another site, even one that blocks
  third-party cookies (a partitioned cookie is kept for that product's page alone). The portal's own cookies keep their
  ``Lax`` default and are never read or written here, so an embedded session and a session in
  the portal itself are independent.
* Framing: ``frame-ancestors`` lists the origins the CS admin allowed (and no
  ``X-Frame-Options``); everywhere else it stays ``'none'`` with ``DENY``.
* The layout: ``request.embedded`` is set, and the base template drops the portal's header.
* The account: the session shows the account its token named, and answers 404 for any other.
* Log-in pages are not served in a frame: an embedded session that has ended is opened again
  from the product.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from http.cookies import Morsel
from typing import Any

from asgiref.local import Local
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import get_script_prefix, set_script_prefix
from django.utils.translation import gettext

from .models import EmbedSettings

EMBED_PATH = "/embed/"
EMBED_SESSION_COOKIE = "portal_embed_session"
EMBED_CSRF_COOKIE = "portal_embed_csrftoken"
EMBED_MESSAGES_COOKIE = "portal_embed_messages"
# Paths of the portal never served in the frame: logging in (the product's token does that)
# and Django's admin.
NOT_EMBEDDED = ("/auth/", "/admin/")
FRAME_ANCESTORS = re.compile(r"frame-ancestors [^;]*")


# While an embedded request is served, the script prefix it replaced ("/" unless the portal
# itself is mounted under a path).
_mount = Local()


@task_prerun.connect
def _jobs_link_to_the_portal_itself(**kwargs: Any) -> None:
    """A job run in-process (no broker) during an embedded request makes links for e-mails
    and the like: they point at the portal itself, as a worker's would, never at /embed/."""
    stack = getattr(_mount, "task_prefixes", None)
    if stack is None:
        stack = _mount.task_prefixes = []
    stack.append(get_script_prefix())
    outer = getattr(_mount, "outer_prefix", None)
    if outer is not None:
        set_script_prefix(outer)


@task_postrun.connect
def _jobs_done(**kwargs: Any) -> None:
    stack = getattr(_mount, "task_prefixes", None)
    if stack:
        set_script_prefix(stack.pop())


class PartitionedMorsel(Morsel[str]):
    """A cookie with the ``Partitioned`` attribute (CHIPS), which Python's own cookies learn in
    3.14: browsers that block third-party cookies still keep a partitioned one, for this
    product's page only (it is keyed to the site of the page around the frame)."""

    def OutputString(self, attrs: Any = None) -> str:
        return super().OutputString(attrs) + "; Partitioned"


def embed_cookie_names() -> tuple[tuple[str, str], ...]:
    """The portal's cookies and the embed's names for them: the session, the CSRF token, and
    the messages ("Your profile was saved") that wait for the next page."""
    return (
        (settings.SESSION_COOKIE_NAME, EMBED_SESSION_COOKIE),
        (settings.CSRF_COOKIE_NAME, EMBED_CSRF_COOKIE),
        (CookieStorage.cookie_name, EMBED_MESSAGES_COOKIE),
    )


class EmbedMountMiddleware:
    """Serves ``/embed/…`` as the portal inside the vendor's product (see the module's doc).

    First in ``MIDDLEWARE``, so that sessions, CSRF, static files and the resolver all see the
    path without its prefix and the embed's cookies under the portal's usual names.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if not path.startswith(EMBED_PATH):
            return self.get_response(request)
        request.embedded = True  # type: ignore[attr-defined]
        if path != EMBED_PATH:  # the entry is a view of its own at /embed/
            request.path_info = path[len(EMBED_PATH) - 1 :]
        outer_prefix = get_script_prefix()
        prefix = outer_prefix + EMBED_PATH.lstrip("/")
        self._use_embed_cookies(request)
        set_script_prefix(prefix)
        _mount.outer_prefix = outer_prefix
        try:
            response = self.get_response(request)
        finally:
            set_script_prefix(outer_prefix)
            _mount.outer_prefix = None
        self._set_embed_cookies(response, prefix)
        self._allow_framing(response)
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        """Log-in pages are not framed; and a second lock: the embedded session shows the
        account its token named, only."""
        if not getattr(request, "embedded", False):
            return None
        if request.path_info.startswith(NOT_EMBEDDED):
            return self._not_embedded(request)
        if "slug" not in kwargs:
            return None
        from .services.embed import EMBED_ACCOUNT_SESSION_KEY

        pinned = request.session.get(EMBED_ACCOUNT_SESSION_KEY)
        if pinned is not None and pinned != kwargs["slug"]:
            raise Http404(gettext("No such account."))
        return None

    @staticmethod
    def _use_embed_cookies(request: HttpRequest) -> None:
        cookies = request.COOKIES
        for name, embed_name in embed_cookie_names():
            cookies.pop(name, None)
            if embed_name in cookies:
                cookies[name] = cookies.pop(embed_name)

    @staticmethod
    def _set_embed_cookies(response: HttpResponseBase, path: str) -> None:
        for name, embed_name in embed_cookie_names():
            morsel = response.cookies.pop(name, None)
            if morsel is None:
                continue
            max_age = morsel["max-age"]
            response.set_cookie(
                embed_name,
                morsel.value,
                max_age=int(max_age) if max_age != "" else None,
                expires=None if max_age != "" else (morsel["expires"] or None),
                path=path,
                secure=True,
                httponly=True,
                samesite="None",
            )
            partitioned = PartitionedMorsel()
            partitioned.update(response.cookies[embed_name])
            partitioned.set(embed_name, morsel.value, response.cookies[embed_name].coded_value)
            response.cookies[embed_name] = partitioned

    @staticmethod
    def _allow_framing(response: HttpResponseBase) -> None:
        origins = EmbedSettings.load().allowed_origins
        if not origins:
            return
        policy = response.get("Content-Security-Policy")
        if policy:
            response["Content-Security-Policy"] = FRAME_ANCESTORS.sub(
                "frame-ancestors " + " ".join(origins), policy
            )
        if "X-Frame-Options" in response:
            del response["X-Frame-Options"]

    @staticmethod
    def _not_embedded(request: HttpRequest) -> HttpResponse:
        """Log-in pages in the frame: someone whose embedded session ended opens the hub again
        from the product; someone signed in is offered the page in the portal itself."""
        from .services.embed import REASONS

        if request.user.is_authenticated and request.path_info.startswith("/auth/"):
            context = {
                "reason": REASONS["outside"],
                "outside_url": request.path.replace(EMBED_PATH, "/", 1),
            }
        else:
            context = {"reason": REASONS["ended"]}
        return render(request, "integrations/embed_refused.html", context, status=403)
