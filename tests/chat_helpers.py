"""Rows of the URL x role access matrix for chat channels, calendar feeds and asking for a
business review (see tests/playbooks_helpers.py for how they plug in)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from integrations.models import CalendarFeed
from tests.chat_factories import ChatChannelFactory, make_feed
from tests.conftest import PERSONAS, World

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
CONSOLE_WRITE = [L, 403, 403, 403, 403, 302, 302, 302]
ADMIN_READ = [L, 403, 403, 403, 403, 403, 403, 200]
ADMIN_WRITE = [L, 403, 403, 403, 403, 403, 403, 302]
# The CSM's own channel: theirs alone (a CS admin manages team channels, not this one).
OWN_READ = [L, 403, 403, 403, 403, 200, 404, 404]
OWN_WRITE = [L, 403, 403, 403, 403, 302, 404, 404]
SIGNED_IN_READ = [L, 200, 200, 200, 200, 200, 200, 200]
SIGNED_IN_WRITE = [L, 302, 302, 302, 302, 302, 302, 302]
POST_ONLY = [405] * 8
# The calendar address is the credential: the same answer for everyone holding it.
PUBLIC_READ = [200] * 8

CHAT_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "chat_channels": (CONSOLE_READ, CONSOLE_WRITE),
    "chat_channel_edit": (OWN_READ, OWN_WRITE),
    "chat_channel_test": (POST_ONLY, OWN_WRITE),
    "chat_channel_delete": (POST_ONLY, OWN_WRITE),
    "chat_team_channels": (ADMIN_READ, ADMIN_WRITE),
    "calendar_feed": (SIGNED_IN_READ, None),
    "calendar_feed_create": (POST_ONLY, SIGNED_IN_WRITE),
    "calendar_feed_revoke": (POST_ONLY, SIGNED_IN_WRITE),
    "calendar_ics": (PUBLIC_READ, None),
    # The reports app's: executives and champions ask their CSM for a business review.
    "review_ask": (POST_ONLY, [L, 302, 302, 403, 404, 403, 404, 403]),
}

SLACK_URL = "https://hooks.slack.com/services/T000/B000/matrix"


def make_chat_world(world: World) -> dict[str, Any]:
    """The CSM in a team with a Slack channel of their own, and a live calendar feed for every
    persona (read a moment ago, so fetching it again writes nothing)."""
    User.objects.filter(pk=world.csm.pk).update(team="Enterprise")
    channel = ChatChannelFactory.create(owner=world.csm, name="#casey-alerts")
    tokens = {}
    for name in PERSONAS:
        person = world.persona(name)
        if person is not None:
            _, tokens[name] = make_feed(person)
    CalendarFeed.objects.update(last_fetched_at=timezone.now())
    return {"channel": channel, "token": tokens["csm"]}


def chat_url_args(c: dict[str, Any], slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    channel = c["channel"]
    fields = {
        "kind": "slack",
        "name": "#new-alerts",
        "webhook_url": SLACK_URL,
        "topics": ["detractors"],
        "active": "on",
    }
    return {
        "chat_channels": ([], fields),
        "chat_channel_edit": ([channel.pk], {**fields, "name": "#renamed"}),
        "chat_channel_test": ([channel.pk], {}),
        "chat_channel_delete": ([channel.pk], {}),
        "chat_team_channels": ([], {**fields, "team": "Enterprise"}),
        "calendar_ics": ([c["token"]], {}),
        "review_ask": ([slug], {"note": "Adoption in EMEA", "preferred_month": ""}),
    }
