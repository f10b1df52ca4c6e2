"""The CS admin's playbooks: what each one does, how often it fired, and enable or pause."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial

from ..forms import EnableForm
from ..models import Playbook
from ..services.playbooks import set_playbook_enabled

TEMPLATE = "playbooks/playbooks.html"


def _playbooks() -> QuerySet[Playbook]:
    return Playbook.objects.annotate(run_count=Count("runs", distinct=True)).prefetch_related(
        "steps"
    )


@vendor_view(admin_only=True)
def playbooks(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_partial(
        request, TEMPLATE, "list", {"playbooks": _playbooks(), "nav_section": "settings"}
    )


@require_POST
@vendor_view(admin_only=True)
def playbook_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    playbook = get_object_or_404(Playbook, pk=pk)
    form = EnableForm(request.POST)
    if not form.is_valid():
        return refuse(request, gettext("Say whether the playbook is to run or pause."))
    set_playbook_enabled(playbook, form.cleaned_data["enabled"], acting_user=request.user)
    if not is_htmx(request):
        return redirect("playbooks")
    refreshed = get_object_or_404(_playbooks(), pk=pk)
    return render_partial(request, TEMPLATE, "row", {"playbook": refreshed})
