"""The layout every signed-in page shares: its badges come from one query whose SQL is compiled
once per process (portal.compiled), and each person and account still gets their own figures."""

from __future__ import annotations

import re

from django.urls import reverse

from accounts.access import AccountAccess
from accounts.inbox import unread_count as inbox_unread
from accounts.models import Notification, NotificationKind, User
from portal import layout
from tests.conftest import World, client_for
from tests.queries import page_queries
from tests.updates_helpers import UpdateFactory
from updates.figures import unread_count as updates_unread
from updates.models import UpdateRead
from updates.services import publish_update


def notify(user: User, n: int) -> None:
    for i in range(n):
        Notification.objects.create(user=user, kind=NotificationKind.values[0], title=f"Item {i}")


def test_the_badges_are_each_persons_own_from_the_one_compiled_query(world: World) -> None:
    first = publish_update(UpdateFactory.create(created_by=world.csm), acting_user=world.csm)
    publish_update(UpdateFactory.create(created_by=world.csm), acting_user=world.csm)
    UpdateRead.objects.create(update=first, user=world.champion, account=world.account)
    notify(world.champion, 3)
    notify(world.member, 1)
    notify(world.csm, 2)
    seen = []
    for user, account, role in [
        (world.champion, world.account, "champion"),
        (world.member, world.account, "member"),
        (world.other_champion, world.other_account, "champion"),
        (world.executive, world.account, "executive"),
    ]:
        access = AccountAccess(account=account, role=role)
        found = layout._badges(user, access)
        assert found.inbox == inbox_unread(user)
        assert found.updates == updates_unread(access, user)
        seen.append((found.inbox, found.updates))
    assert seen[:2] == [(3, 1), (1, 2)]
    staff = layout._badges(world.csm, AccountAccess(account=world.account, role="csm"))
    assert (staff.inbox, staff.updates) == (2, 0)


def test_a_page_shows_the_badges_with_one_query_for_both(world: World) -> None:
    publish_update(UpdateFactory.create(created_by=world.csm), acting_user=world.csm)
    notify(world.champion, 4)
    client = client_for(world.champion)
    url = reverse("account_home", args=["acme"])
    html = client.get(url).content.decode()
    assert 'aria-label="Inbox, 4 unread"' in html
    assert re.search(r'aria-label="Updates 1 unread"', html)
    before = page_queries(client, url)
    notify(world.champion, 2)
    html = client.get(url).content.decode()
    assert 'aria-label="Inbox, 6 unread"' in html
    assert page_queries(client, url) == before
