"""A slot for the files attached to shared work: an onboarding task, a plan item, a comment.

Onboarding and success plans place ``{% attachments_for task %}`` where files belong; a
feature that keeps files (documents) registers what fills it. With no such feature installed
the slot renders nothing, never a placeholder:

    @register_attachments
    def attachments(request, access, target, place): ...  # -> HTML or ""

``place`` says where the slot sits ("task", "item", "comment") so the part can be full or
compact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.utils.safestring import SafeString

Renderer = Callable[[HttpRequest, Any, Model, str], str]
_RENDERERS: list[Renderer] = []


def register_attachments(renderer: Renderer) -> Renderer:
    if renderer not in _RENDERERS:
        _RENDERERS.append(renderer)
    return renderer


def render_attachments(request: HttpRequest, access: Any, target: Model, place: str) -> SafeString:
    if access is None or target is None:
        return SafeString("")
    return SafeString("".join(r(request, access, target, place) for r in _RENDERERS))
