"""What a person's inbox shows (the bell's count, the inbox page) and the daily inbox digest:
one e-mail a day gathering the items of the kinds they chose "daily digest" for."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import ngettext, pgettext_lazy

from portal.daily_mail import NotAllSent, send_daily

from .models import Delivery, InboxDigestSent, Notification, NotificationKind, NotificationSetting
from .models import User as UserModel

PER_PAGE = 50


def unread_count(user: UserModel) -> int:
    """How many inbox items ``user`` has not read: one query (the partial index on unread
    items), for the bell in the header."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox_items(user: UserModel, kind: str = "") -> QuerySet[Notification]:
    """``user``'s items, newest first (of ``kind``, when one is given)."""
    items = Notification.objects.filter(user=user).select_related("account")
    if kind in NotificationKind.values:
        items = items.filter(kind=kind)
    return items.order_by("-created_at", "-pk")


# The short name of each kind, as the inbox's filters and its items' badges show it.
KIND_NAMES: dict[str, str | Promise] = {
    NotificationKind.TASKS: pgettext_lazy("inbox kind", "Tasks"),
    NotificationKind.PLANS: pgettext_lazy("inbox kind", "Plans"),
    NotificationKind.SURVEYS: pgettext_lazy("inbox kind", "Surveys"),
    NotificationKind.REPORTS: pgettext_lazy("inbox kind", "Reports"),
    NotificationKind.ACCOUNT: pgettext_lazy("inbox kind", "Account"),
    NotificationKind.UPDATES: pgettext_lazy("inbox kind", "Updates"),
}


# The daily digest ----------------------------------------------------------------------------


@dataclass
class InboxDigest:
    user: UserModel
    today: date
    items: list[Notification] = field(default_factory=list)

    @property
    def summary(self) -> str:
        n = len(self.items)
        return ngettext("%(count)s update", "%(count)s updates", n) % {"count": n}


def collect_inbox_digests(today: date) -> dict[int, InboxDigest]:
    """Everyone who chose "daily digest" for a kind and has unread items of it from the last
    day that no e-mail carried yet. Reads; one query however many people and items."""
    since = timezone.now() - timedelta(days=1)
    wants_digest = NotificationSetting.objects.filter(
        user=OuterRef("user"), kind=OuterRef("kind"), delivery=Delivery.DIGEST
    )
    items = (
        Notification.objects.filter(
            read_at__isnull=True,
            emailed_at__isnull=True,
            created_at__gte=since,
            user__is_active=True,
        )
        .filter(Exists(wants_digest))
        .select_related("user", "account")
        .order_by("user_id", "-created_at", "-pk")
    )
    digests: dict[int, InboxDigest] = {}
    for item in items:
        digests.setdefault(item.user_id, InboxDigest(item.user, today)).items.append(item)
    return digests


class InboxDigestsNotSent(NotAllSent):
    what = "inbox digest(s)"


def send_inbox_digest(digest: InboxDigest) -> None:
    from .services import Mail, send_notification_mail

    # The one-click unsubscribe of a digest turns off the digest of every kind it carries.
    send_notification_mail(
        digest.user,
        sorted({item.kind for item in digest.items}),
        Mail(
            "inbox_digest",
            {"digest": digest, "today": digest.today, "site_url": settings.SITE_URL},
        ),
    )
    Notification.objects.filter(pk__in=[item.pk for item in digest.items]).update(
        emailed_at=timezone.now()
    )


def send_inbox_digests(today: date, *, people: Collection[int] | None = None) -> int:
    """Send ``today``'s inbox digests, at most one a person a day (the claimed
    ``InboxDigestSent`` row); returns how many went out."""
    return send_daily(
        collect_inbox_digests(today),
        day=today,
        log_model=InboxDigestSent,
        record=lambda digest: {"item_ids": [item.pk for item in digest.items]},
        send=send_inbox_digest,
        not_all_sent=InboxDigestsNotSent,
        people=people,
    )
