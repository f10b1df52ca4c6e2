"""The health score's weights and bands, set by a CS admin."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import HealthConfigForm
from ..models import HealthConfig
from ..services.health import change_health_settings


@vendor_view(admin_only=True)
def health_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = HealthConfigForm(data, instance=HealthConfig.current())
    if request.method != "POST":
        return render(request, "insights/health_settings.html", {"form": form})
    if not form.is_valid():
        return render(request, "insights/health_settings.html", {"form": form}, status=422)
    change_health_settings(form.cleaned_data, acting_user=request.user)
    messages.success(request, gettext("Saved. Every account's health score is being recomputed."))
    return redirect("health_settings")
