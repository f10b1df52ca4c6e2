"""Telling someone on the vendor's team, in their inbox, that a playbook needs them ("Acme
needs an owner CSM"): an item of kind "account" (the bell counts it, Today shows it until it
is read)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse

from accounts.models import Account, Notification, NotificationKind, User, VendorRole
from accounts.services import Text
from accounts.services import notify as notify_inbox

from ..models import PlaybookRun

TEXT_LENGTH = Notification._meta.get_field("title").max_length or 300


def cs_admins() -> list[User]:
    return list(User.objects.filter(vendor_role=VendorRole.ADMIN, is_active=True).order_by("pk"))


def recipients(account: Account) -> list[User]:
    """Who hears about ``account``: its owner CSM, or every CS admin when it has no active
    owner (an item for nobody would be lost)."""
    owner = account.owner
    if owner is not None and owner.is_active and owner.is_vendor:
        return [owner]
    return cs_admins()


@transaction.atomic
def notify(
    account: Account,
    *,
    text: Text,
    users: Iterable[User] | None = None,
    run: PlaybookRun | None = None,
) -> list[Notification]:
    """One inbox item for each of ``users`` (by default :func:`recipients`), in one insert,
    linking to the playbook ``run`` that asks (the account's page without one); no e-mail now (the inbox digest carries it to those who chose
    one for account updates).

    A playbook is the author, so there is no acting user; the step that calls this records
    the activity on the account. The step runs inside the transaction that settles its run
    step (locked, and done only once), so a retried step does not tell anyone twice.
    """
    people = list(users) if users is not None else recipients(account)
    if isinstance(text, str):  # typed in a step: its spacing tidied; a lazy one is made per reader
        text = " ".join(text.split())[:TEXT_LENGTH]
    if not people or not str(text):
        return []
    return notify_inbox(
        people,
        kind=NotificationKind.ACCOUNT,
        title=text,
        url=(
            reverse("playbook_run", args=[account.slug, run.pk])
            if run is not None
            else reverse("account_home", args=[account.slug])
        ),
        account=account,
    )
