"""The playbook editor (CS admins): name, trigger and its settings, conditions, and the
ordered steps, each with its own settings. One form posted whole; the add, remove and move
buttons redraw it without saving, htmx swaps the parts in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import is_htmx, refuse, render_partial
from portal.htmx import redirect as htmx_redirect

from ..forms import PlaybookDraft, editor_forms
from ..models import Playbook, RunStatus
from ..services.playbooks import PlaybookInvalid, PlaybookRefused, delete_playbook, save_playbook

TEMPLATE = "playbooks/playbook_form.html"


def _context(
    request: AuthenticatedHttpRequest,
    playbook: Playbook | None,
    draft: PlaybookDraft,
    problems: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "playbook": playbook,
        "draft": draft,
        "forms": editor_forms(draft, problems, url=request.path),
        "runs_under_way": getattr(playbook, "runs_under_way", 0),
        "nav_section": "settings",
    }


def _editor(request: AuthenticatedHttpRequest, playbook: Playbook | None) -> HttpResponse:
    if request.method != "POST":
        draft = PlaybookDraft.of(playbook)
        return render_partial(request, TEMPLATE, "editor", _context(request, playbook, draft))
    draft = PlaybookDraft.from_post(request.POST)
    action = request.POST.get("action", "save")
    if action == "trigger":
        context = _context(request, playbook, draft)
        return render_partial(request, TEMPLATE, "trigger_settings", context)
    if action == "refresh" or draft.rearrange(action):
        return render_partial(request, TEMPLATE, "editor", _context(request, playbook, draft))
    try:
        saved = save_playbook(
            playbook,
            data=draft.as_data(),
            apply_to_runs=draft.apply_to_runs,
            acting_user=request.user,
        )
    except PlaybookInvalid as invalid:
        context = _context(request, playbook, draft, invalid.problems)
        return render_partial(request, TEMPLATE, "editor", context, status=422)
    messages.success(
        request,
        _("“%(saved)s” was saved. Preview it before you enable it.") % {"saved": saved.name},
    )
    url = reverse("playbook_preview", args=[saved.pk])
    return htmx_redirect(request, url) if is_htmx(request) else redirect(url)


@vendor_view(admin_only=True)
def playbook_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _editor(request, None)


@vendor_view(admin_only=True)
def playbook_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    playbooks = Playbook.objects.annotate(
        runs_under_way=Count("runs", filter=Q(runs__status=RunStatus.RUNNING))
    ).prefetch_related("steps")
    return _editor(request, get_object_or_404(playbooks, pk=pk))


@require_POST
@vendor_view(admin_only=True)
def playbook_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    playbook = get_object_or_404(Playbook, pk=pk)
    try:
        delete_playbook(playbook, acting_user=request.user)
    except PlaybookRefused as refusal:
        return refuse(request, str(refusal))
    messages.success(request, _("“%(playbook)s” was deleted.") % {"playbook": playbook.name_text})
    url = reverse("playbooks")
    return htmx_redirect(request, url) if is_htmx(request) else redirect(url)
