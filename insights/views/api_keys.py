"""API keys, managed by a CS admin: list, create (the secret shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import ApiKeyForm
from ..models import ApiKey
from ..services.api_keys import issue_key, revoke_key


def _render_list(
    request: AuthenticatedHttpRequest, form: ApiKeyForm, status: int = 200
) -> HttpResponse:
    keys = ApiKey.objects.select_related("created_by")
    labels = dict(ApiKey.Scope.choices)
    rows = [(key, [labels.get(s, s) for s in key.scopes]) for key in keys]
    context = {"rows": rows, "form": form, "docs_url": reverse("api_v1:openapi-view")}
    return render(request, "insights/api_keys.html", context, status=status)


@vendor_view(admin_only=True)
def api_keys(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_list(request, ApiKeyForm())


# The new secret waits in the session between the POST and the page that shows it, and is
# removed from it when that page is shown: shown once, then only its hash remains.
SHOW_ONCE_SESSION_FIELD = "insights_new_api_key"


@vendor_view(admin_only=True)
def api_key_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("api_keys")
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form, status=422)
    key, secret = issue_key(
        name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"], acting_user=request.user
    )
    request.session[SHOW_ONCE_SESSION_FIELD] = {"pk": key.pk, "secret": secret}
    return redirect("api_key_created", key.pk)


@vendor_view(admin_only=True)
def api_key_created(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    waiting = request.session.pop(SHOW_ONCE_SESSION_FIELD, None)
    key = get_object_or_404(ApiKey, pk=pk)
    if not waiting or waiting.get("pk") != key.pk:
        messages.info(request, gettext("A key is shown only once, right after it is created."))
        return redirect("api_keys")
    response = render(
        request,
        "insights/api_key_created.html",
        {"key": key, "secret": waiting["secret"], "docs_url": reverse("api_v1:openapi-view")},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@vendor_view(admin_only=True)
def api_key_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    if revoke_key(key, acting_user=request.user):
        messages.success(
            request,
            gettext("“%(name)s” is revoked: requests with it are refused.") % {"name": key.name},
        )
    else:
        messages.info(request, gettext("“%(name)s” was already revoked.") % {"name": key.name})
    return redirect("api_keys")
