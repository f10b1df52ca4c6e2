"""The account's own pages: its home, its edit form, its activity, the customer preview."""

from __future__ import annotations

import mimetypes
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Window
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.paging import page_of

from ..access import AccountAccess, account_view, get_account_for_user, vendor_view
from ..activity import snapshot
from ..adapters import FIRST_LOGIN_SESSION_KEY
from ..forms import AccountForm, ViewAsForm
from ..http import AuthenticatedHttpRequest
from ..models import Account, Activity
from ..panels import panel_slots
from ..services import ACCOUNT_FIELDS, end_preview, save_account, start_preview

TEAM_PREVIEW = 8  # people shown on the account page; the People page lists everyone
# Logged in this soon after the login was made: the session that accepted the invitation.
JUST_JOINED = timedelta(seconds=30)


def is_first_visit(request: AuthenticatedHttpRequest) -> bool:
    """Whether this is the session of the person's first log-in: "Welcome", not "Welcome back"."""
    if request.session.get(FIRST_LOGIN_SESSION_KEY):
        return True
    last_login, joined = request.user.last_login, request.user.date_joined
    return bool(last_login and joined and last_login - joined < JUST_JOINED)


@account_view()
def account_home(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    """The page's shell: who the account is, what to do next, its team; each feature's panel
    loads on its own (:mod:`accounts.panels`)."""
    account = access.account
    if request.session.get("last_account") != account.slug:
        request.session["last_account"] = account.slug  # home brings them back here
    if access.can("account.executive_home"):
        return executive_home(request, access)
    team = list(
        account.memberships.select_related("user")
        .annotate(team_size=Window(Count("pk")))  # everyone, counted in the same query
        .order_by("role", "user__name")[:TEAM_PREVIEW]
    )
    context = {
        "access": access,
        "account": account,
        "team": team,
        "team_size": team[0].team_size if team else 0,
        "pending_invitations": account.invitations.pending().count()
        if access.is_vendor and access.can("people.invite")
        else 0,
        "activity": Activity.objects.for_account(account)[:8]
        if access.can("account.view_activity")
        else [],
        "view_as_form": ViewAsForm() if access.can("account.view_as") else None,
        "first_visit": is_first_visit(request),
        "panel_slots": panel_slots(access),
    }
    return render(request, "accounts/account_home.html", context)


def executive_home(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    """The executive's own page at the account's address: what the plan promised against its
    targets, the value, the health when the CSM shares it, the reviews, and what needs them;
    each panel loads on its own, as on the account page."""
    context = {
        "access": access,
        "account": access.account,
        "first_visit": is_first_visit(request),
        "panel_slots": panel_slots(access, "executive-home"),
    }
    return render(request, "accounts/executive_home.html", context)


@vendor_view()
def account_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, request.FILES or None, acting_user=request.user)
    if request.method == "POST":
        if form.is_valid():
            account = save_account(
                form.instance,
                acting_user=request.user,
                before=None,
                tags=form.cleaned_data["tags"],
            )
            messages.success(
                request,
                _("%(account)s was created. Invite its champion next.") % {"account": account.name},
            )
            return redirect("people", account.slug)
        return render(request, "accounts/account_form.html", {"form": form}, status=422)
    return render(request, "accounts/account_form.html", {"form": form})


@account_view("account.edit")
def account_edit(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    account = Account.objects.get(pk=access.account.pk)
    before = snapshot(account, ACCOUNT_FIELDS)
    form = AccountForm(
        request.POST or None, request.FILES or None, instance=account, acting_user=request.user
    )
    context = {"form": form, "account": access.account, "access": access}
    if request.method == "POST":
        if form.is_valid():
            save_account(
                form.instance,
                acting_user=request.user,
                before=before,
                tags=form.cleaned_data["tags"],
            )
            messages.success(request, _("The account was saved."))
            return redirect("account_home", form.instance.slug)
        return render(request, "accounts/account_form.html", context, status=422)
    return render(request, "accounts/account_form.html", context)


ACTIVITY_PER_PAGE = 50


@account_view("account.view_activity")
def account_activity(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    page = page_of(request, Activity.objects.for_account(access.account), ACTIVITY_PER_PAGE)
    return render(
        request,
        "accounts/activity.html",
        {"access": access, "account": access.account, "entries": page, "page": page},
    )


@require_POST
@account_view("account.view_as")
def view_as_start(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = ViewAsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose champion, executive or member."))
        return redirect("account_home", access.account.slug)
    try:
        start_preview(request, access.account, form.cleaned_data["role"])
    except (PermissionDenied, ValidationError) as error:
        raise PermissionDenied(str(error)) from error
    return redirect("account_home", access.account.slug)


@require_POST
def view_as_end(request: HttpRequest, slug: str) -> HttpResponse:
    # Not behind account_view's preview lock: leaving the preview must work from inside it.
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    access = get_account_for_user(request, slug)
    end_preview(request)
    return redirect("account_home", access.account.slug)


@account_view()
def account_logo(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponseBase:
    """The account's logo, served only to those who may see the account. Always streamed from
    the storage, never a redirect to a signed URL: pages show it in an <img>, and their
    Content-Security-Policy lets images come from the portal itself only."""
    logo = access.account.logo
    if not logo:
        raise Http404("This account has no logo.")
    try:
        handle = logo.open("rb")
    except (OSError, ValueError) as error:
        raise Http404("The logo file is missing.") from error
    response = FileResponse(
        handle, content_type=mimetypes.guess_type(logo.name)[0] or "application/octet-stream"
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
