"""What the chat screens share: finding a channel the viewer may manage (404 otherwise)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext

from accounts.models import User

from ..models import ChatChannel
from ..services import chat


def get_channel_for_user(user: User, pk: int) -> ChatChannel:
    """Channel ``pk`` if ``user`` manages it (their own; team channels: CS admins); 404
    otherwise, the same as a channel that does not exist."""
    channel = ChatChannel.objects.filter(pk=pk).first()
    if channel is None or not chat.may_manage(user, channel):
        raise Http404(gettext("No such channel."))
    return channel


def back_to(channel: ChatChannel) -> str:
    return "chat_team_channels" if channel.owner_id is None else "chat_channels"
