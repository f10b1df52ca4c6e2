"""An account's people: members, invitations, roles, deactivation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import formatting
from portal.paging import page_of

from ..access import AccountAccess, account_view
from ..figures import NEVER, people_engagement
from ..forms import ApproveJoinForm, InviteForm, RoleForm, SelfJoinForm, add_service_errors
from ..http import AuthenticatedHttpRequest
from ..models import JoinRequest, User
from ..services import (
    change_role,
    deactivatable,
    deactivate_user,
    invite,
    reactivate_user,
    remove_membership,
    resend_invitation,
    revoke_invitation,
)

PEOPLE_PER_PAGE = 50
INVITATIONS_SHOWN = 50  # the most recent; older ones are accepted, revoked or expired


def _people_context(
    request: AuthenticatedHttpRequest, access: AccountAccess, form: InviteForm | None = None
) -> dict[str, object]:
    account = access.account
    page = page_of(
        request,
        account.memberships.select_related("user").order_by("role", "user__name", "pk"),
        PEOPLE_PER_PAGE,
    )
    memberships = list(page.object_list)
    may_invite = access.can("people.invite")
    invitations = (
        list(
            account.invitations.select_related("invited_by", "accepted_by").order_by(
                "-created_at", "-pk"
            )[: INVITATIONS_SHOWN + 1]
        )
        if may_invite
        else []
    )
    return {
        "access": access,
        "account": account,
        "memberships": memberships,
        "members_page": page,
        # Who the viewer may deactivate, for every row at once (one query, not two per row).
        "deactivatable": deactivatable(request.user, [m.user for m in memberships])
        if access.can("people.manage")
        else set(),
        # Last seen and visits, for vendor staff (one query for everyone).
        "engagement": people_engagement(account) if access.can("people.view_engagement") else None,
        "never_seen": NEVER,
        "invitations": invitations[:INVITATIONS_SHOWN],
        "more_invitations": len(invitations) > INVITATIONS_SHOWN,
        "form": form
        if form is not None
        else (InviteForm(acting_role=access.role) if may_invite else None),
        "days_valid": settings.INVITATION_DAYS_VALID,
        "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
        # Self-join: the requests waiting for an answer, the roles the viewer may give, and
        # (vendor staff) the account's setting.
        "join_requests": list(account.join_requests.filter(status=JoinRequest.Status.PENDING))
        if may_invite
        else [],
        "join_roles": ApproveJoinForm(acting_role=access.role).fields["role"].choices  # type: ignore[attr-defined]
        if may_invite
        else [],
        "self_join_form": SelfJoinForm(initial={"self_join": account.self_join})
        if access.can("account.edit")
        else None,
    }


@account_view("people.view")
def people(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, "accounts/people.html", _people_context(request, access))


@require_POST
@account_view("people.invite")
def people_invite(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = InviteForm(request.POST, acting_role=access.role)
    if form.is_valid():
        try:
            invitation = invite(
                access.account,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                acting_user=request.user,
                acting_role=access.role,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("An invitation is on its way to %(email)s. The link works once, until %(date)s.")
                % {
                    "email": invitation.email,
                    "date": formatting.long_day_month(invitation.expires_at),
                },
            )
            return redirect("people", access.account.slug)
    return render(
        request, "accounts/people.html", _people_context(request, access, form), status=422
    )


@require_POST
@account_view("people.invite")
def invitation_resend(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    invitation = get_object_or_404(access.account.invitations, pk=pk)
    try:
        resend_invitation(invitation, acting_user=request.user, acting_role=access.role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("people", access.account.slug)
    messages.success(request, _("A new link was sent to %(email)s.") % {"email": invitation.email})
    return redirect("people", access.account.slug)


@require_POST
@account_view("people.invite")
def invitation_revoke(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    invitation = get_object_or_404(access.account.invitations, pk=pk)
    try:
        revoke_invitation(invitation, acting_user=request.user, acting_role=access.role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("people", access.account.slug)
    messages.success(
        request, _("The invitation to %(email)s no longer works.") % {"email": invitation.email}
    )
    return redirect("people", access.account.slug)


@require_POST
@account_view("people.manage")
def membership_role(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    membership = get_object_or_404(access.account.memberships.select_related("user"), pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose champion, executive or member."))
        return render(request, "accounts/people.html", _people_context(request, access), status=422)
    change_role(membership, role=form.cleaned_data["role"], acting_user=request.user)
    messages.success(
        request,
        _("%(person)s is now %(role)s.")
        % {"person": membership.user, "role": membership.get_role_display().lower()},
    )
    return redirect("people", access.account.slug)


@require_POST
@account_view("people.manage")
def membership_remove(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    membership = get_object_or_404(access.account.memberships.select_related("user"), pk=pk)
    remove_membership(membership, acting_user=request.user)
    messages.success(
        request,
        _("%(person)s no longer has access to %(account)s.")
        % {"person": membership.user, "account": access.account},
    )
    return redirect("people", access.account.slug)


def _member_user(access: AccountAccess, pk: int) -> User:
    return get_object_or_404(User, pk=pk, memberships__account=access.account)


@require_POST
@account_view("people.manage")
def user_deactivate(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    user = _member_user(access, pk)
    deactivate_user(user, acting_user=request.user, account=access.account)
    messages.success(
        request,
        _("%(person)s can no longer log in and was logged out everywhere. Their work stays.")
        % {"person": user},
    )
    return redirect("people", access.account.slug)


@require_POST
@account_view("people.manage")
def user_reactivate(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    user = _member_user(access, pk)
    reactivate_user(user, acting_user=request.user, account=access.account)
    messages.success(request, _("%(person)s can log in again.") % {"person": user})
    return redirect("people", access.account.slug)
