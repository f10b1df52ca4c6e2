"""Self-join: the public /join/ pages, and the People page's answers to requests to join."""

from __future__ import annotations

from allauth.core.ratelimit import consume
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..access import AccountAccess, account_view
from ..forms import ApproveJoinForm, DeclineJoinForm, JoinForm, SelfJoinForm
from ..http import AuthenticatedHttpRequest
from ..join import (
    JOIN_LINK_VALID,
    PUBLIC_ANSWER,
    JoinLinkError,
    approve_join_request,
    confirm_join_request,
    decline_join_request,
    join_link_state,
    read_join_token,
    request_to_join,
    set_self_join,
    withdraw_join_request,
)
from ..models import JoinRequest
from .people import _people_context


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Ask to join: the same answer whatever the address, so it tells nobody who has a portal."""
    form = JoinForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/join.html", {"form": form}, status=422)
        email = form.cleaned_data["email"]
        if not consume(request, action="join_request", key=email):
            form.add_error(
                None, _("Too many requests from here or for this address. Try again in an hour.")
            )
            return render(request, "accounts/join.html", {"form": form}, status=429)
        request_to_join(
            email=email, name=form.cleaned_data["name"], message=form.cleaned_data["message"]
        )
        response = redirect("join_sent")
        # See Other: nothing is stored until the link is opened, and the answer is one page.
        response.status_code = 303
        return response
    return render(request, "accounts/join.html", {"form": form})


def join_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/join_sent.html",
        {"answer": _(PUBLIC_ANSWER), "hours": int(JOIN_LINK_VALID.total_seconds() // 3600)},
    )


def _bad_link(request: HttpRequest, error: JoinLinkError) -> HttpResponse:
    """An expired link (410) or one that was changed or cut short (404): a page that says so."""
    context = {"problem": str(error), "expired": error.expired}
    status = 410 if error.expired else 404
    return render(request, "accounts/join_invalid.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def join_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link. A GET only shows it (mail scanners open links); the button POSTs."""
    try:
        link = read_join_token(token)
    except JoinLinkError as error:
        return _bad_link(request, error)
    context: dict[str, object] = {"link": link, "account": link.account, "token": token}
    if request.method == "POST":
        try:
            join_request = confirm_join_request(link, acting_user=None)
        except ValidationError as error:
            context["problem"] = " ".join(error.messages)
            return render(request, "accounts/join_invalid.html", context, status=409)
        if join_request.invitation is not None:  # let in at once: on to their password
            return redirect("accept_invitation", join_request.invitation.token)
        return redirect("join_confirm", token)
    context["state"] = join_link_state(link)
    return render(request, "accounts/join_confirm.html", context)


@require_POST
def join_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The person takes back their request, by the same link."""
    try:
        link = read_join_token(token)
    except JoinLinkError as error:
        return _bad_link(request, error)
    try:
        withdraw_join_request(link, acting_user=None)
    except ValidationError as error:
        context = {"link": link, "account": link.account, "problem": " ".join(error.messages)}
        return render(request, "accounts/join_invalid.html", context, status=409)
    messages.success(
        request,
        _("Your request to join %(account)s was withdrawn.") % {"account": link.account.name},
    )
    return redirect("join_confirm", token)


def _answer_failed(
    request: AuthenticatedHttpRequest, access: AccountAccess, error: ValidationError
) -> HttpResponse:
    messages.error(request, " ".join(error.messages))
    return render(request, "accounts/people.html", _people_context(request, access), status=409)


@require_POST
@account_view("people.invite")
def join_request_approve(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    join_request = get_object_or_404(access.account.join_requests, pk=pk)
    form = ApproveJoinForm(request.POST, acting_role=access.role)
    if not form.is_valid():
        messages.error(
            request,
            _("Choose a role you may give: %(roles)s.")
            % {
                "roles": ", ".join(
                    str(label).lower()
                    for _value, label in form.fields["role"].choices  # type: ignore[attr-defined]
                )
            },
        )
        return render(request, "accounts/people.html", _people_context(request, access), status=422)
    try:
        invitation = approve_join_request(
            join_request,
            role=form.cleaned_data["role"],
            acting_user=request.user,
            acting_role=access.role,
        )
    except ValidationError as error:
        return _answer_failed(request, access, error)
    messages.success(
        request,
        _("Approved: an invitation is on its way to %(email)s as %(role)s.")
        % {"email": invitation.email, "role": invitation.get_role_display().lower()},
    )
    return redirect("people", access.account.slug)


@require_POST
@account_view("people.invite")
def join_request_decline(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    join_request: JoinRequest = get_object_or_404(access.account.join_requests, pk=pk)
    form = DeclineJoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Keep the reason under 1,000 characters."))
        return render(request, "accounts/people.html", _people_context(request, access), status=422)
    try:
        decline_join_request(
            join_request,
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
            acting_role=access.role,
        )
    except ValidationError as error:
        return _answer_failed(request, access, error)
    messages.success(
        request,
        _("Declined. %(email)s will get a short, polite e-mail.") % {"email": join_request.email},
    )
    return redirect("people", access.account.slug)


@require_POST
@account_view("account.edit")
def people_self_join(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = SelfJoinForm(request.POST)
    if form.is_valid():
        try:
            account = set_self_join(
                access.account, mode=form.cleaned_data["self_join"], acting_user=request.user
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(
                request, _("Self-join: %(mode)s.") % {"mode": account.get_self_join_display()}
            )
            return redirect("people", access.account.slug)
    context = _people_context(request, access)
    context["self_join_form"] = form
    return render(request, "accounts/people.html", context, status=422)
