"""The vendor's own team, managed by CS admins."""

from __future__ import annotations

from typing import cast

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import vendor_view
from ..forms import StaffForm, StaffRoleForm, StaffTeamForm, add_service_errors
from ..http import AuthenticatedHttpRequest
from ..models import User
from ..services import (
    add_staff,
    change_staff_role,
    deactivate_user,
    reactivate_user,
    set_staff_team,
    staff_teams,
)


def _staff_context(form: StaffForm | None = None) -> dict[str, object]:
    staff = (
        User.objects.exclude(vendor_role="")
        .annotate(accounts=Count("portfolio"))
        .order_by("-is_active", "name")
    )
    with_mfa = set(Authenticator.objects.filter(user__in=staff).values_list("user_id", flat=True))
    return {
        "staff": staff,
        "with_mfa": with_mfa,
        "form": form or StaffForm(),
        # The ChoiceField StaffRoleForm declares; ``base_fields`` holds it as a plain Field.
        "role_choices": cast(forms.ChoiceField, StaffRoleForm.base_fields["vendor_role"]).choices,
        "teams": staff_teams(),
    }


@vendor_view(admin_only=True)
def staff(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/staff.html", _staff_context())


@require_POST
@vendor_view(admin_only=True)
def staff_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StaffForm(request.POST)
    if form.is_valid():
        try:
            user = add_staff(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                vendor_role=form.cleaned_data["vendor_role"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was added and e-mailed a link to set a password.")
                % {"name": user.display_name},
            )
            return redirect("staff")
    return render(request, "accounts/staff.html", _staff_context(form), status=422)


def _staff_member(pk: int) -> User:
    return get_object_or_404(User.objects.exclude(vendor_role=""), pk=pk)


@require_POST
@vendor_view(admin_only=True)
def staff_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _staff_member(pk)
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose Customer Success Manager or CS admin."))
        return render(request, "accounts/staff.html", _staff_context(), status=422)
    change_staff_role(user, vendor_role=form.cleaned_data["vendor_role"], acting_user=request.user)
    messages.success(
        request,
        _("%(name)s is now %(role)s.")
        % {"name": user.display_name, "role": user.get_vendor_role_display()},
    )
    return redirect("staff")


@require_POST
@vendor_view(admin_only=True)
def staff_team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _staff_member(pk)
    form = StaffTeamForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A team's name is at most 60 characters."))
        return render(request, "accounts/staff.html", _staff_context(), status=422)
    set_staff_team(user, team=form.cleaned_data["team"], acting_user=request.user)
    if user.team:
        messages.success(
            request,
            _("%(name)s is in team %(team)s.") % {"name": user.display_name, "team": user.team},
        )
    else:
        messages.success(request, _("%(name)s is in no team.") % {"name": user.display_name})
    return redirect("staff")


@require_POST
@vendor_view(admin_only=True)
def staff_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _staff_member(pk)
    deactivate_user(user, acting_user=request.user)
    messages.success(
        request,
        _(
            "%(name)s can no longer log in. Their accounts keep them as owner until you "
            "reassign them."
        )
        % {"name": user.display_name},
    )
    return redirect("staff")


@require_POST
@vendor_view(admin_only=True)
def staff_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _staff_member(pk)
    reactivate_user(user, acting_user=request.user)
    messages.success(request, _("%(name)s can log in again.") % {"name": user.display_name})
    return redirect("staff")
