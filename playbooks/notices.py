"""What the Today page shows of a person's inbox: their unread account updates (what the
playbooks told them, among others), where they will act on them."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Notification, NotificationKind, User

SHOWN = 20


@dataclass(frozen=True)
class Unread:
    items: list[Notification]  # the newest SHOWN
    count: int  # all of them

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def unread_account_items(user: User) -> Unread:
    """The newest unread inbox items of kind "account" of ``user`` and how many there are, in
    two queries at most (none for someone outside the vendor's team, who has no Today)."""
    if not user.is_vendor:
        return Unread([], 0)
    unread = Notification.objects.filter(
        user=user, kind=NotificationKind.ACCOUNT, read_at__isnull=True
    ).order_by("-created_at", "-pk")
    items = list(unread.select_related("account")[:SHOWN])
    count = len(items) if len(items) < SHOWN else unread.count()
    return Unread(items, count)
