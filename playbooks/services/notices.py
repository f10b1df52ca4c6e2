"""Notices: a line in the portal for someone on the vendor's team ("a playbook needs you"),
shown at the top of their Today page until they mark it read."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User, VendorRole

from ..models import Notice, PlaybookRun

TEXT_LENGTH = Notice._meta.get_field("text").max_length or 300


def cs_admins() -> list[User]:
    return list(User.objects.filter(vendor_role=VendorRole.ADMIN, is_active=True).order_by("pk"))


def recipients(account: Account) -> list[User]:
    """Who hears about ``account``: its owner CSM, or every CS admin when it has no active
    owner (a notice for nobody would be lost)."""
    owner = account.owner
    if owner is not None and owner.is_active and owner.is_vendor:
        return [owner]
    return cs_admins()


@transaction.atomic
def notify(
    account: Account,
    *,
    text: str,
    users: Iterable[User] | None = None,
    run: PlaybookRun | None = None,
) -> list[Notice]:
    """One notice for each of ``users`` (by default :func:`recipients`), in one query.

    A playbook is the author, so there is no acting user; the step that calls this records
    the activity on the account.
    """
    people = list(users) if users is not None else recipients(account)
    text = " ".join(text.split())[:TEXT_LENGTH]
    if not people or not text:
        return []
    return Notice.objects.bulk_create(
        Notice(user=user, account=account, text=text, run=run) for user in people
    )


@transaction.atomic
def mark_notice_read(notice: Notice, *, acting_user: User) -> Notice:
    """Only the person a notice is for may mark it read (the view finds it among theirs, so
    anyone else gets a 404 before this).

    Reading a notice is the reader's own state, like their e-mail settings: it is not written
    to the account's activity log.
    """
    if notice.user_id != acting_user.pk:
        raise PermissionDenied("This notice is for someone else.")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


@transaction.atomic
def mark_all_read(*, acting_user: User) -> int:
    """Mark every unread notice of ``acting_user`` read; how many there were."""
    return Notice.objects.filter(user=acting_user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
