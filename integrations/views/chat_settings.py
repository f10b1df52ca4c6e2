"""A CSM's own chat channels, under their settings: add, change, test, remove."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import ChatChannelForm, TeamChatChannelForm
from ..models import ChatChannel
from ..services import chat
from .chat_common import back_to, get_channel_for_user


def _context(request: AuthenticatedHttpRequest, form: ChatChannelForm) -> dict[str, Any]:
    return {"channels": chat.own_channels(request.user), "form": form}


@vendor_view()
def chat_channels(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The CSM's channels, and the form to add one."""
    user = request.user
    if request.method == "POST":
        form = ChatChannelForm(request.POST, instance=ChatChannel(owner=user))
        if form.is_valid():
            channel = chat.add_channel(acting_user=user, owner=user, **form.channel_fields())
            messages.success(
                request,
                _("Added %(channel)s. Send a test message to check it is connected.")
                % {"channel": channel.name},
            )
            return redirect("chat_channels")
        return render(
            request, "integrations/chat_settings.html", _context(request, form), status=422
        )
    return render(request, "integrations/chat_settings.html", _context(request, ChatChannelForm()))


@vendor_view()
def chat_channel_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    channel = get_channel_for_user(request.user, pk)
    form_class = ChatChannelForm if channel.owner_id else TeamChatChannelForm
    form = form_class(request.POST or None, instance=channel)
    context = {"channel": channel, "form": form, "back": back_to(channel)}
    if request.method == "POST":
        if form.is_valid():
            chat.edit_channel(channel, acting_user=request.user, **form.channel_fields())
            messages.success(request, _("Saved %(channel)s.") % {"channel": channel.name})
            return redirect(back_to(channel))
        return render(request, "integrations/chat_channel_edit.html", context, status=422)
    return render(request, "integrations/chat_channel_edit.html", context)


@require_POST
@vendor_view()
def chat_channel_test(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    channel = get_channel_for_user(request.user, pk)
    chat.send_test(channel, acting_user=request.user)
    messages.info(
        request,
        _("A test message is on its way to %(channel)s; its delivery shows here in a moment.")
        % {"channel": channel.name},
    )
    return redirect(back_to(channel))


@require_POST
@vendor_view()
def chat_channel_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    channel = get_channel_for_user(request.user, pk)
    back = back_to(channel)
    chat.delete_channel(channel, acting_user=request.user)
    messages.success(
        request, _("Removed %(channel)s: it will get no more messages.") % {"channel": channel.name}
    )
    return redirect(back)
