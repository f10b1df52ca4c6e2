"""Figures of product updates: a reader's feed and unread count, and each update's reach."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.template.defaultfilters import striptags, truncatechars

from accounts.access import AccountAccess
from accounts.models import Account, CustomerRole, Membership
from portal import compiled

from .models import Update, UpdateAccount, UpdateQuerySet, UpdateReaction, UpdateRead

FEED_PAGE = 20
EXCERPT_CHARS = 220


def _count(model: Any, **filters: Any) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``model`` rows of the outer update: one subquery, so
    several counts on one list do not multiply each other's rows."""
    rows = (
        model.objects.filter(update=OuterRef("pk"), **filters)
        .order_by()
        .values("update")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def reader_role(access: AccountAccess) -> str | None:
    """The role whose updates a viewer sees: a customer's own; vendor staff see them all."""
    return access.role if access.is_customer else None


def feed(access: AccountAccess, user: Any) -> UpdateQuerySet:
    """The updates ``access``'s account got, for its viewer, newest first, each with
    ``is_read``, ``is_useful`` and ``useful_count``: one query per page."""
    return _feed(access.account, reader_role(access), user)


def _feed(account: Account, role: str | None, user: Any) -> UpdateQuerySet:
    return (
        Update.objects.for_account(account, role)
        .annotate(
            is_read=Exists(UpdateRead.objects.filter(update=OuterRef("pk"), user=user)),
            is_useful=Exists(UpdateReaction.objects.filter(update=OuterRef("pk"), user=user)),
            useful_count=_count(UpdateReaction),
        )
        .order_by("-published_at", "-pk")
    )


def feed_page(access: AccountAccess, user: Any, number: Any) -> Page[Update]:
    """Page ``number`` of :func:`feed` as the paginator's ``get_page`` gives it, each update
    with its :func:`excerpt`, in one query: the page's updates carry the feed's length (a
    window count), so that no ``COUNT`` query runs first, and the query is compiled once per
    process (portal.compiled) with the page's bounds as parameters. A page with no updates on
    it (an empty feed, a page past the last, a number that is not one) is the paginator's own."""
    paginator = Paginator(feed(access, user), FEED_PAGE)
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    rows: list[Update] = []
    if wanted >= 1:
        role = reader_role(access)
        sql, values = compiled.statement(
            ("updates.feed", role),
            lambda account, reader: _feed_counted(Account(pk=account), role, reader),
            account=access.account.pk,
            reader=user.pk,
        )
        # The feed's own SQL has no LIMIT: the page's bounds go on the end, as parameters.
        values += [FEED_PAGE, (wanted - 1) * FEED_PAGE]
        rows = list(Update.objects.raw(f"{sql} LIMIT %s OFFSET %s", values))
    if rows:
        paginator.__dict__["count"] = rows[0].feed_length  # type: ignore[attr-defined]
        page = Page(rows, wanted, paginator)
    else:
        page = paginator.get_page(number)
        page.object_list = rows = list(page.object_list)
    for update in rows:
        update.excerpt = excerpt(update.body)  # type: ignore[attr-defined]
    return page


def _feed_counted(account: Account, role: str | None, user: int) -> UpdateQuerySet:
    """:func:`feed` for ``role`` on ``account``, each update with the feed's length."""
    return _feed(account, role, user).annotate(feed_length=Window(Count("pk")))


@functools.lru_cache(maxsize=1024)
def excerpt(body: str) -> str:
    """An update's text in the feed: its Markdown rendered and sanitised, as plain text, cut
    at :data:`EXCERPT_CHARS`. Worked out once per body (a published update's body does not
    change: it is unpublished first), not on every view of the feed."""
    from accounts.templatetags.portal import markdown_filter

    return truncatechars(striptags(markdown_filter(body)), EXCERPT_CHARS)


def unread_count(access: AccountAccess, user: Any) -> int:
    """The badge in the navigation: a customer's unread updates on the account (one query)."""
    if not access.is_customer:
        return 0
    return Update.objects.for_account(access.account, access.role).unread_by(user).count()


def console_updates() -> QuerySet[Update]:
    """Every update for the vendor's list, with its reach in counts (one query)."""
    return (
        Update.objects.select_related("created_by")
        .annotate(
            accounts_reached=_count(UpdateAccount),
            people_read=_count(UpdateRead),
            useful_count=_count(UpdateReaction),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class AccountReach:
    account: Account
    audience: int  # people of the account the update is meant for
    read: int
    useful: int


def role_label(code: str) -> str:
    """A member's role as people read it ("Executive"), in the reader's language: its label
    as the catalogue has it; an unknown code as it is."""
    return str(CustomerRole(code).label) if code in CustomerRole.values else code


@dataclass(frozen=True)
class Reader:
    name: str
    email: str
    account: str
    role: str
    read_at: datetime
    useful: bool


@dataclass(frozen=True)
class Reach:
    accounts: int
    accounts_read: int
    people: int
    people_read: int
    useful: int
    by_account: list[AccountReach]
    readers: list[Reader]

    @property
    def read_share(self) -> float | None:
        return self.people_read / self.people if self.people else None


def reach(update: Update) -> Reach:
    """Who an update reached and who read it: per account, and each reader (four queries)."""
    audience = dict(
        Membership.objects.filter(
            account__in=UpdateAccount.objects.filter(update=update).values("account"),
            role__in=update.role_list,
            user__is_active=True,
        )
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values_list("account", "n")
    )
    reads = list(
        UpdateRead.objects.filter(update=update)
        .select_related("user", "account")
        .order_by("-read_at", "-pk")
    )
    useful_ids = set(UpdateReaction.objects.filter(update=update).values_list("user_id", flat=True))
    roles = dict(
        Membership.objects.filter(user__in=[r.user_id for r in reads]).values_list(
            "user_id", "role"
        )
    )
    read_by: dict[int, int] = {}
    useful_by: dict[int, int] = {}
    for r in reads:
        read_by[r.account_id] = read_by.get(r.account_id, 0) + 1
        if r.user_id in useful_ids:
            useful_by[r.account_id] = useful_by.get(r.account_id, 0) + 1
    accounts = [
        reach.account
        for reach in UpdateAccount.objects.filter(update=update)
        .select_related("account")
        .order_by("account__name")
    ]
    by_account = sorted(
        (
            AccountReach(a, audience.get(a.pk, 0), read_by.get(a.pk, 0), useful_by.get(a.pk, 0))
            for a in accounts
        ),
        key=lambda row: (-row.read, row.account.name),
    )
    return Reach(
        accounts=len(accounts),
        accounts_read=sum(1 for row in by_account if row.read),
        people=sum(audience.values()),
        people_read=len(reads),
        useful=len(useful_ids),
        by_account=by_account,
        readers=[
            Reader(
                r.user.display_name,
                r.user.email,
                r.account.name,
                role_label(roles.get(r.user_id, "")),
                r.read_at,
                r.user_id in useful_ids,
            )
            for r in reads
        ],
    )


def known_features() -> list[str]:
    """The features the product reports usage of, for the editor's suggestions (one query)."""
    from insights.models import FeatureUsageDay

    return list(
        FeatureUsageDay.objects.order_by("feature").values_list("feature", flat=True).distinct()
    )
