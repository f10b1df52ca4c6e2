"""The CS teams' chat channels, in the console: CS admins add and manage them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.services import staff_teams

from ..forms import TeamChatChannelForm
from ..models import ChatChannel
from ..services import chat


@vendor_view(admin_only=True)
def chat_team_channels(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TeamChatChannelForm(request.POST or None, instance=ChatChannel())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            channel = chat.add_channel(acting_user=request.user, **form.channel_fields())
            messages.success(
                request,
                _(
                    "Added %(channel)s for the %(team)s team. Send a test message to "
                    "check it is connected."
                )
                % {"channel": channel.name, "team": channel.team},
            )
            return redirect("chat_team_channels")
        status = 422
    context = {"channels": chat.team_channels(), "form": form, "teams": staff_teams()}
    return render(request, "integrations/chat_team_channels.html", context, status=status)
