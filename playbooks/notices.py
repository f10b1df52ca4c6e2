"""What the Today page and the navigation show of a person's notices."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User

from .models import Notice

SHOWN = 20


@dataclass(frozen=True)
class Unread:
    notices: list[Notice]  # the newest SHOWN
    count: int  # all of them

    @property
    def more(self) -> int:
        return self.count - len(self.notices)


def unread_notices(user: User) -> Unread:
    """The newest unread notices of ``user`` and how many there are, in two queries (none for
    someone outside the vendor's team, who never gets one)."""
    if not user.is_vendor:
        return Unread([], 0)
    unread = Notice.objects.filter(user=user, read_at__isnull=True)
    notices = list(unread.select_related("account")[:SHOWN])
    count = len(notices) if len(notices) < SHOWN else unread.count()
    return Unread(notices, count)


def unread_notice_count(user: User) -> int:
    """How many notices ``user`` has not read: one query, for the navigation."""
    if not user.is_vendor:
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()
