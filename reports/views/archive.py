"""The account's reviews and Wrapped, and asking for a Wrapped from there."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..figures import NoReport
from ..forms import ReviewAskForm, WrappedYearForm
from ..models import Report


def blank_fields(kind: str) -> SafeString:
    """The fields of an unfilled form (``kind``: "ask" or "year"), as the page shows them.
    They depend on the day and the language only, so they are rendered once a day per process
    (each time in DEBUG, so an edited template shows), not on every visit."""
    key = (kind, timezone.localdate(), translation.get_language())
    if settings.DEBUG:
        return _render_blank_fields.__wrapped__(*key)
    return _render_blank_fields(*key)


@lru_cache(maxsize=8)
def _render_blank_fields(kind: str, today: date, language: str | None) -> SafeString:
    form: forms.Form = ReviewAskForm(today=today) if kind == "ask" else WrappedYearForm()
    return mark_safe(render_to_string("_form_fields.html", {"form": form}))  # noqa: S308


def _context(
    access: AccountAccess,
    year_form: WrappedYearForm | None = None,
    ask_form: ReviewAskForm | None = None,
) -> dict[str, Any]:
    return {
        "access": access,
        "account": access.account,
        "documents": services.archive(access.account, customer=access.is_customer),
        "year_form": year_form or WrappedYearForm(),
        # An unfilled form's fields, made once a day; a form sent back with errors is rendered.
        "year_fields": None if year_form else blank_fields("year"),
        "note_year": timezone.localdate().year,
        # Asking for a review: the form for executives and champions, the last ask for all.
        "ask_form": ask_form or ReviewAskForm(),
        "ask_fields": None if ask_form else blank_fields("ask"),
        "last_ask": services.last_review_request(access.account),
    }


@account_view("reports.view")
def archive(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, "reports/archive.html", _context(access))


def asked(request: AuthenticatedHttpRequest, version: Report, made_new: bool) -> HttpResponse:
    """After asking for a PDF: to the page of its version, which polls until it is ready."""
    if not made_new and version.status == Report.Status.READY:
        messages.info(
            request,
            _("Nothing has changed since version %(version)s: here it is, ready to download.")
            % {"version": version.version},
        )
    return redirect(version)


@require_POST
@account_view("reports.request")
def request_wrapped(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    form = WrappedYearForm(request.POST)
    if form.is_valid():
        try:
            version, made_new = services.request_wrapped(
                access.account,
                form.cleaned_data["year"],
                acting_user=request.user,
            )
        except NoReport as exc:
            form.add_error("year", str(exc))
        else:
            return asked(request, version, made_new)
    return render(request, "reports/archive.html", _context(access, form), status=422)
