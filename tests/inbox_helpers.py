"""The inbox's rows of the access matrix (tests/test_access_matrix.py), and its factories."""

from __future__ import annotations

from typing import Any

import factory

from accounts.models import Notification, NotificationKind
from accounts.services import unsubscribe_url
from tests.conftest import PERSONAS, World
from tests.factories import UserFactory

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
SIGNED_IN_READ = [L, 200, 200, 200, 200, 200, 200, 200]
SIGNED_IN_WRITE = [L, 302, 302, 302, 302, 302, 302, 302]
# One item, the CSM's: for everyone else it does not exist.
CSMS_OWN = [L, 404, 404, 404, 404, 302, 404, 404]
POST_ONLY = [405] * 8
GET_ONLY = [405] * 8
# The signed one-click link from an e-mail's List-Unsubscribe: no log-in, no CSRF token.
PUBLIC_READ = [200] * 8

INBOX_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "inbox": (SIGNED_IN_READ, None),
    # The header's periodic refresh: after the session ends, 204 (nothing to swap), not a log-in page.
    "inbox_bell": ([204, 200, 200, 200, 200, 200, 200, 200], None),
    "inbox_read_all": (POST_ONLY, SIGNED_IN_WRITE),
    "inbox_read": (POST_ONLY, CSMS_OWN),
    "inbox_open": (CSMS_OWN, None),
    "unsubscribe": (PUBLIC_READ, PUBLIC_READ),
}


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = NotificationKind.TASKS
    title = factory.Sequence(lambda n: f"Something happened ({n})")
    url = "/inbox/"


def make_inbox_world(world: World) -> dict[str, Any]:
    """An unread item for every signed-in persona (so that "mark all read" has something to
    mark), the CSM's with a link to account A's home."""
    items = {
        name: NotificationFactory.create(
            user=world.persona(name), account=world.account, url=f"/a/{world.account.slug}/"
        )
        for name in PERSONAS
        if name != "anonymous"
    }
    return {"csm_item": items["csm"], "token": unsubscribe_url(world.member, "surveys")}


def inbox_url_args(p: dict[str, Any]) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    token = p["token"].rstrip("/").rsplit("/", 1)[-1]
    return {
        "inbox_read": ([p["csm_item"].pk], {}),
        "inbox_open": ([p["csm_item"].pk], {}),
        "unsubscribe": ([token], {"List-Unsubscribe": "One-Click"}),
    }
