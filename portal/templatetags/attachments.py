"""``{% attachments_for target "task" %}``: the files attached to a piece of shared work, from
whichever feature fills the slot (portal/attachments.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.utils.safestring import SafeString

from portal.attachments import render_attachments

register = template.Library()


@register.simple_tag(takes_context=True)
def attachments_for(context: dict[str, Any], target: Model, place: str = "") -> SafeString:
    request = context.get("request")
    if request is None:
        return SafeString("")
    return render_attachments(request, context.get("access"), target, place)
