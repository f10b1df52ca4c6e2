"""What the layout every signed-in page shares costs, in one place: the account the navigation
lists (:func:`nav_access`) and the badges in it (:func:`badges`: the inbox bell's unread count
and a customer's unread product updates), each worked out at most once per request and the
badges in one query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Func, IntegerField, QuerySet, Subquery, Value
from django.http import HttpRequest

from accounts.access import AccountAccess, role_on_account
from accounts.models import Account, Notification, User
from updates.models import Update

from . import compiled

_NAV_ACCESS = "_layout_nav_access"
_BADGES = "_layout_badges"


@dataclass(frozen=True)
class Badges:
    inbox: int  # the bell: the person's unread inbox items
    updates: int  # "Updates" in the navigation: a customer's unread updates on ``access``
    access: AccountAccess | None  # the account (and role) ``updates`` counts on


def nav_access(request: HttpRequest, my_accounts: Any = None) -> AccountAccess | None:
    """The account whose pages the navigation lists, as this person sees it (once per request).

    On an account's page, that account (for vendor staff too, as a preview when one is on).
    Elsewhere, for customer users: the account they were last on, else their first one, so
    that the profile, two-factor, sessions and error pages show the same navigation as the
    account's own pages.
    """
    access = getattr(request, "account_access", None)
    if access is not None:
        return access
    if _NAV_ACCESS in request.__dict__:
        return request.__dict__[_NAV_ACCESS]
    found = _customer_nav_access(request, my_accounts)
    request.__dict__[_NAV_ACCESS] = found
    return found


def _customer_nav_access(request: HttpRequest, my_accounts: Any) -> AccountAccess | None:
    user = request.user
    if not user.is_authenticated or user.is_vendor:
        return None
    if my_accounts is None:
        my_accounts = Account.objects.visible_to(user).only("name", "slug", "brand_color")
    accounts = list(my_accounts)
    if not accounts:
        return None
    last = request.session.get("last_account")
    account = next((a for a in accounts if a.slug == last), accounts[0])
    role = role_on_account(user, account)
    return AccountAccess(account=account, role=role) if role else None


def _count(rows: QuerySet[Any]) -> Subquery:
    """``(SELECT COUNT(*) FROM … WHERE …)``: a count as a column of another query."""
    counted = rows.order_by().annotate(n=Func(Value(1), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def badges(request: HttpRequest) -> Badges:
    """The layout's badges for the request's person and navigation: one query, once."""
    found = request.__dict__.get(_BADGES)
    if found is None:
        found = request.__dict__[_BADGES] = _badges(request.user, nav_access(request))  # type: ignore[arg-type]
    return found


def _badges(user: User, access: AccountAccess | None) -> Badges:
    role = access.role if access is not None and access.is_customer else None
    if role is None or access is None:
        (row,) = compiled.run("badges", _badges_query, user=user.pk)
        return Badges(inbox=row[0], updates=0, access=access)
    (row,) = compiled.run(
        ("badges", role),
        lambda user, account: _badges_query(user, account, role),
        user=user.pk,
        account=access.account.pk,
    )
    return Badges(inbox=row[0], updates=row[1], access=access)


def _badges_query(user: int, account: int | None = None, role: str | None = None) -> QuerySet[Any]:
    """One row: the person's unread inbox items and, with ``account`` and a customer
    ``role``, their unread updates on it (updates.figures.unread_count's rule)."""
    columns: dict[str, Subquery] = {
        "badge_inbox": _count(Notification.objects.filter(user=user, read_at__isnull=True)),
    }
    if account is not None and role is not None:
        updates = Update.objects.for_account(Account(pk=account), role).unread_by(user)
        columns["badge_updates"] = _count(updates)
    return User.objects.filter(pk=user).annotate(**columns).values_list(*columns)


def updates_unread(request: HttpRequest, access: AccountAccess) -> int | None:
    """A customer's unread updates on ``access``'s account from the layout's one query, when
    ``access`` is the navigation's; None when it is another account (the caller counts)."""
    found = badges(request)
    mine = found.access
    if mine is None or (mine.account.pk, mine.role) != (access.account.pk, access.role):
        return None
    return found.updates
