"""Data for the self-join tests, and their rows of the URL x role access matrix.

tests/test_access_matrix.py takes everything from here::

    EXPECTED.update(JOIN_EXPECTED)
    SETUP.update(JOIN_SETUP)
    # in matrix_world:   ctx["join"] = make_join_world(world)
    # in url_and_data:   **join_url_args(ctx["join"], slug),
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from accounts.join import make_join_token
from accounts.models import Account, SelfJoin
from tests.conftest import World
from tests.factories import AccountFactory
from tests.join_factories import JoinRequestFactory

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
POST_ONLY = [405] * 8
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
INVITE_WRITE = [L, 302, 403, 403, 404, 302, 404, 302]

JOIN_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    # Public. Asking stores nothing (a 303 to the one answer page; the matrix checks that
    # nothing changed); the e-mailed link, confirmed, makes the request.
    "join": ([200] * 8, [303] * 8),
    "join_sent": ([200] * 8, None),
    "join_confirm": ([200] * 8, [302] * 8),
    # By the same link, the person takes back a waiting request.
    "join_withdraw": (POST_ONLY, [302] * 8),
    # The account's setting: vendor staff. Answers to requests: whoever may invite.
    "people_self_join": (POST_ONLY, VENDOR_WRITE),
    "join_request_approve": (POST_ONLY, INVITE_WRITE),
    "join_request_decline": (POST_ONLY, INVITE_WRITE),
}

JOIN_SETUP: dict[str, Callable[[dict[str, Any]], object]] = {
    # Self-join needs the account's allowed domains.
    "people_self_join": lambda ctx: Account.objects.filter(pk=ctx["world"].account.pk).update(
        email_domains="customer.example"
    ),
    "join_withdraw": lambda ctx: JoinRequestFactory.create(
        account=ctx["join"]["joinco"], email="newcomer@joinco.example"
    ),
}


def make_join_world(world: World) -> dict[str, Any]:
    """A pending request to join account A, and a confirmation link for another account that
    takes requests (with a champion's approval) from joinco.example. The rate limits start
    afresh."""
    cache.clear()
    joinco = AccountFactory.create(
        name="Joinco", slug="joinco", email_domains="joinco.example", self_join=SelfJoin.APPROVAL
    )
    token = make_join_token(
        joinco, email="newcomer@joinco.example", name="Nora Newcomer", message=""
    )
    return {
        "joinco": joinco,
        "request": JoinRequestFactory.create(account=world.account),
        "token": token,
        # A fresh address each time, so no persona meets the per-address limit.
        "asker": f"asker-{uuid.uuid4().hex[:8]}@nowhere.example",
    }


def join_url_args(j: dict[str, Any], slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    return {
        "join": ([], {"email": j["asker"], "name": "Ann Asker", "message": ""}),
        "join_confirm": ([j["token"]], {}),
        "join_withdraw": ([j["token"]], {}),
        "people_self_join": ([slug], {"self_join": "approval"}),
        "join_request_approve": ([slug, j["request"].pk], {"role": "member"}),
        "join_request_decline": ([slug, j["request"].pk], {"reason": "Not this quarter."}),
    }


LINK = re.compile(r"https?://\S+/join/confirm/\S+/")


def link_in(body: str) -> str:
    """The confirmation link's path in an e-mail's text."""
    found = LINK.search(body)
    assert found, body
    return "/" + found.group(0).split("://", 1)[1].split("/", 1)[1]
