"""Documents fills the attachments slot (portal/attachments.py) that onboarding's task page
and the success plan's items and comments offer: the files attached to the work, and a form
to attach one for those who may."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.template.loader import render_to_string

from portal.attachments import register_attachments

from .figures import attachments_of
from .forms import AttachForm
from .services import TARGET_MODELS, is_upload_task, may_attach

CACHE = "_documents_attachments"


@register_attachments
def attachments(request: HttpRequest, access: Any, target: Model, place: str) -> str:
    if type(target) not in TARGET_MODELS.values() or not access.can("documents.view"):
        return ""
    cache = request.__dict__.setdefault(CACHE, {})
    documents = attachments_of(access, target, cache)
    may = may_attach(access, target, request.user)  # type: ignore[arg-type]
    if not documents and not may:
        return ""
    kind = next(name for name, model in TARGET_MODELS.items() if isinstance(target, model))
    context = {
        "access": access,
        "account": access.account,
        "documents": documents,
        "target": target,
        "target_kind": kind,
        "place": place,
        "form": AttachForm(initial={"kind": kind, "target": target.pk}) if may else None,
        "upload_task": is_upload_task(target),  # type: ignore[arg-type]
    }
    return render_to_string("documents/_attachments.html", context, request)
