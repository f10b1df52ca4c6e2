"""A person's own pages: accepting an invitation, profile, notification settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..figures import own_engagement
from ..forms import AcceptInvitationForm, NotificationForm, ProfileForm
from ..http import AuthenticatedHttpRequest
from ..models import Delivery, Invitation, NotificationKind, User
from ..services import (
    accept_invitation,
    notification_preferences,
    read_account_mail_off_token,
    set_notification_preferences,
    turn_off_account_mail,
    update_profile,
)

BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.from_token(token)
    if invitation is None or not invitation.is_pending:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"invitation": invitation},
            status=410 if invitation else 404,
        )
    existing = User.objects.filter(email__iexact=invitation.email).first()
    context: dict[str, object] = {"invitation": invitation, "existing": existing}
    if existing is not None:
        # Someone who already has a login joins with one click once they are that person.
        if request.method == "POST":
            if request.user.is_authenticated and request.user.pk == existing.pk:
                try:
                    accept_invitation(token, existing_user=existing)
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                    return render(request, "accounts/invitation_accept.html", context, status=409)
                messages.success(
                    request, _("Welcome to %(account)s.") % {"account": invitation.account.name}
                )
                return redirect("account_home", invitation.account.slug)
            return render(request, "accounts/invitation_accept.html", context, status=403)
        return render(request, "accounts/invitation_accept.html", context)

    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    context["form"] = form
    if request.method == "POST":
        if form.is_valid():
            try:
                user = accept_invitation(
                    token, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
                )
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                login(request, user, backend=BACKEND)
                messages.success(
                    request, _("Welcome to %(account)s.") % {"account": invitation.account.name}
                )
                return redirect("account_home", invitation.account.slug)
        return render(request, "accounts/invitation_accept.html", context, status=422)
    return render(request, "accounts/invitation_accept.html", context)


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            update_profile(
                request.user,
                name=form.cleaned_data["name"],
                language=form.cleaned_data["language"],
                time_zone=form.cleaned_data["time_zone"],
                acting_user=request.user,
            )
            messages.success(request, _("Your profile was saved."))
            return redirect("profile")
        return render(request, "accounts/profile.html", _profile_context(request, form), status=422)
    return render(request, "accounts/profile.html", _profile_context(request, form))


def _profile_context(request: AuthenticatedHttpRequest, form: ProfileForm) -> dict[str, object]:
    # What the portal records about this person's visits, and only theirs.
    return {"form": form, "engagement": own_engagement(request.user)}


@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NotificationForm(request.POST or None, initial=notification_preferences(request.user))
    if request.method == "POST":
        if form.is_valid():
            set_notification_preferences(request.user, form.cleaned_data)
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notifications")
        return render(request, "accounts/notifications.html", {"form": form}, status=422)
    return render(request, "accounts/notifications.html", {"form": form})


@csrf_exempt  # no session or cookie: the signed link is the credential
@require_http_methods(["GET", "POST"])
def account_mail_off(request: HttpRequest, token: str) -> HttpResponse:
    """One click from a playbook e-mail's footer turns the customer's account e-mails off.

    A GET changes nothing (mail scanners fetch links); the button POSTs."""
    person = read_account_mail_off_token(token)
    if person is None:
        raise Http404("This link was changed or cut short.")
    if request.method == "POST":
        turn_off_account_mail(person)
        return redirect("account_mail_off", token)
    done = notification_preferences(person)[NotificationKind.ACCOUNT] == Delivery.OFF
    context = {"token": token, "person": person, "done": done}
    return render(request, "accounts/account_mail_off.html", context)
