"""The request a view behind log-in receives, typed.

``HttpRequest.user`` is ``User | AnonymousUser`` to a type checker; behind ``@login_required``,
``@account_view`` or ``@vendor_view`` it is always a ``User``. Views annotate their request as
:class:`AuthenticatedHttpRequest` so that ``request.user`` can be passed as ``acting_user``
without a cast, and ``request.htmx`` (django-htmx's middleware) and ``request.account_access``
(set by ``@account_view``) are known attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from .access import AccountAccess
    from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
    account_access: AccountAccess
