"""The CS admin's page for the embedded hub: the secret (shown once, rotatable), the origins
allowed to frame the hub, the product's ids for accounts, and a snippet to start from."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import EmbedAccountIdForm, EmbedOptionsForm
from ..models import EmbedAccountId, EmbedSettings
from ..services.embed import (
    end_previous_embed_secret,
    link_account_id,
    rotate_embed_secret,
    set_embed_options,
    unlink_account_id,
)

# The new secret waits in the session between the POST and the page that shows it, and leaves
# the session when that page is shown: seen once.
SHOW_ONCE_SESSION_FIELD = "integrations_new_embed_secret"


def _render(
    request: AuthenticatedHttpRequest,
    *,
    options_form: EmbedOptionsForm | None = None,
    id_form: EmbedAccountIdForm | None = None,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    current = EmbedSettings.load()
    context = {
        "embed": current,
        "options_form": options_form
        or EmbedOptionsForm(
            initial={
                "allowed_origins": "\n".join(current.allowed_origins),
                "trust_role_claim": current.trust_role_claim,
            }
        ),
        "id_form": id_form or EmbedAccountIdForm(),
        "links": EmbedAccountId.objects.select_related("account"),
        "audience": settings.EMBED_AUDIENCE,
        "entry_url": settings.SITE_URL + "/embed/",
        "grace_hours": settings.EMBED_SECRET_GRACE_HOURS,
        "max_minutes": settings.EMBED_TOKEN_MAX_SECONDS // 60,
        "secret": secret,
    }
    response = render(request, "integrations/embed_console.html", context, status=status)
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@vendor_view(admin_only=True)
def embed_console(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render(request, secret=request.session.pop(SHOW_ONCE_SESSION_FIELD, ""))


@require_POST
@vendor_view(admin_only=True)
def embed_secret_rotate(request: AuthenticatedHttpRequest) -> HttpResponse:
    request.session[SHOW_ONCE_SESSION_FIELD] = rotate_embed_secret(acting_user=request.user)
    return redirect("embed_console")


@require_POST
@vendor_view(admin_only=True)
def embed_secret_end_previous(request: AuthenticatedHttpRequest) -> HttpResponse:
    if end_previous_embed_secret(acting_user=request.user):
        messages.success(request, _("The previous secret no longer opens the hub."))
    else:
        messages.info(request, _("There was no previous secret still in use."))
    return redirect("embed_console")


@require_POST
@vendor_view(admin_only=True)
def embed_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmbedOptionsForm(request.POST)
    if not form.is_valid():
        return _render(request, options_form=form, status=422)
    set_embed_options(
        allowed_origins=form.cleaned_data["allowed_origins"],
        trust_role_claim=form.cleaned_data["trust_role_claim"],
        acting_user=request.user,
    )
    messages.success(request, _("Saved."))
    return redirect("embed_console")


@require_POST
@vendor_view(admin_only=True)
def embed_account_id_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmbedAccountIdForm(request.POST)
    if not form.is_valid():
        return _render(request, id_form=form, status=422)
    try:
        link = link_account_id(
            form.cleaned_data["account"],
            external_id=form.cleaned_data["external_id"],
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error("external_id", error)
        return _render(request, id_form=form, status=422)
    messages.success(
        request,
        _("Tokens can name %(account)s as “%(external_id)s”.")
        % {"account": link.account.name, "external_id": link.external_id},
    )
    return redirect("embed_console")


@require_POST
@vendor_view(admin_only=True)
def embed_account_id_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(EmbedAccountId, pk=pk)
    unlink_account_id(link, acting_user=request.user)
    messages.success(
        request,
        _("“%(external_id)s” no longer names %(account)s.")
        % {"external_id": link.external_id, "account": link.account.name},
    )
    return redirect("embed_console")
