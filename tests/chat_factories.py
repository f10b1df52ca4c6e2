"""Factories for chat channels, their messages and calendar feeds (integrations)."""

from __future__ import annotations

import factory

from accounts.models import User
from integrations.models import CalendarFeed, ChatChannel, ChatKind, ChatMessage
from tests.factories import CSMFactory


class ChatChannelFactory(factory.django.DjangoModelFactory[ChatChannel]):
    class Meta:
        model = ChatChannel

    kind = ChatKind.SLACK
    name = factory.Sequence(lambda n: f"#cs-alerts-{n}")
    webhook_url = "https://hooks.slack.com/services/T000/B000/placeholder"
    owner = factory.SubFactory(CSMFactory)
    team = ""


class ChatMessageFactory(factory.django.DjangoModelFactory[ChatMessage]):
    class Meta:
        model = ChatMessage

    channel = factory.SubFactory(ChatChannelFactory)
    event = None


def make_feed(user: User) -> tuple[CalendarFeed, str]:
    """A live calendar feed for ``user`` and its token."""
    feed = CalendarFeed(user=user)
    token = feed.new_token()
    feed.save()
    return feed, token
