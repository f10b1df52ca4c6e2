"""Demo data of the integrations app."""

from __future__ import annotations

from accounts.models import User

from .models import ChatChannel, ChatKind


def ensure_demo_chat() -> int:
    """An example Slack channel for Priya, off, with a placeholder address: the chat page shows
    how a channel looks without posting anywhere."""
    priya = User.objects.filter(email="priya@northwind.example").first()
    if priya is None or ChatChannel.objects.filter(owner=priya).exists():
        return 0
    ChatChannel.objects.create(
        owner=priya,
        kind=ChatKind.SLACK,
        name="#priya-accounts",
        webhook_url="https://hooks.slack.com/services/T00000000/B00000000/placeholder",
        active=False,
        created_by=priya,
    )
    return 1
