"""Before enabling: who the playbook would act on now, why, and what each step would do.
Reads only; nothing is sent or written."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..models import Playbook
from ..services.playbooks import preview


@vendor_view(admin_only=True)
def playbook_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    playbook = get_object_or_404(Playbook.objects.prefetch_related("steps"), pk=pk)
    context = {"preview": preview(playbook, now=timezone.now()), "nav_section": "settings"}
    return render(request, "playbooks/playbook_preview.html", context)
