"""Case studies: the CSM's draft (/a/<slug>/advocacy/case-studies/...), prefilled with the
objectives the account met and the survey comments picked as quotes; sent to the champion,
who approves it (and each quote) or rejects it with a reason; once approved, a PDF rendered
when downloaded."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse
from portal.markdown import render_markdown

from .. import figures, services
from ..casestudies import case_study_filename, case_study_pdf
from ..forms import CaseStudyForm, DecisionForm
from ..models import CaseStudy, CaseStudyStatus

EDITOR = "advocacy/case_study.html"
REVIEW = "advocacy/case_study_review.html"


def _case_study(access: AccountAccess, pk: int) -> CaseStudy:
    return get_object_or_404(
        CaseStudy.objects.filter(account=access.account).select_related("account", "decided_by"),
        pk=pk,
    )


def _editor(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    form: CaseStudyForm,
    case_study: CaseStudy | None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "access": access,
        "account": access.account,
        "form": form,
        "case_study": case_study,
        "objectives": case_study.objectives
        if case_study
        else figures.objectives_met(access.account),
        "quotes": case_study.quotes.all() if case_study else [],
        "preview": render_markdown(case_study.body) if case_study else "",
    }
    return render(request, EDITOR, context, status=status)


@account_view("advocacy.case_studies")
def case_study_new(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    account = access.account
    if request.method != "POST":
        initial = {
            "title": gettext("How {account} succeeds with us").format(account=account.name),
            "body": "",
        }
        return _editor(request, access, CaseStudyForm(account, initial=initial), None)
    form = CaseStudyForm(account, request.POST)
    if not form.is_valid():
        return _editor(request, access, form, None, status=422)
    data = form.cleaned_data
    made = services.start_case_study(
        account,
        title=data["title"],
        body=data["body"],
        responses=data["quotes"],
        acting_user=request.user,
    )
    messages.success(request, gettext("Draft saved. Send it to the champion when it reads well."))
    return redirect("advocacy_case_study", account.slug, made.pk)


@account_view("advocacy.case_studies")
def case_study(request: AuthenticatedHttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    found = _case_study(access, pk)
    picked = [q.response_id for q in found.quotes.all() if q.response_id]
    if request.method != "POST":
        initial = {"title": found.title, "body": found.body, "quotes": picked}
        return _editor(request, access, CaseStudyForm(access.account, initial=initial), found)
    form = CaseStudyForm(access.account, request.POST)
    if not form.is_valid():
        return _editor(request, access, form, found, status=422)
    data = form.cleaned_data
    try:
        services.update_case_study(
            found,
            title=data["title"],
            body=data["body"],
            responses=data["quotes"],
            refresh_objectives="refresh" in request.POST,
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _editor(request, access, form, found, status=422)
    messages.success(request, gettext("Saved."))
    return redirect("advocacy_case_study", access.account.slug, found.pk)


@require_POST
@account_view("advocacy.case_studies")
def case_study_send(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    found = _case_study(access, pk)
    try:
        services.send_case_study(found, acting_user=request.user)
    except ValidationError as error:
        return refuse(request, " ".join(error.messages))
    messages.success(request, gettext("Sent to the champion for approval."))
    return redirect("advocacy_case_study", access.account.slug, found.pk)


def _review(
    request: AuthenticatedHttpRequest,
    access: AccountAccess,
    found: CaseStudy,
    form: DecisionForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "access": access,
        "account": access.account,
        "case_study": found,
        "body": render_markdown(found.body),
        "form": form,
    }
    return render(request, REVIEW, context, status=status)


@account_view("advocacy.approve_case_study")
def case_study_review(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    found = _case_study(access, pk)
    if found.status == CaseStudyStatus.DRAFT:
        raise Http404("No such case study.")  # a draft is the team's until sent
    if request.method != "POST":
        initial = {"allowed": [q.pk for q in found.quotes.all() if q.allowed is not False]}
        return _review(request, access, found, DecisionForm(found, initial=initial))
    form = DecisionForm(found, request.POST)
    if not form.is_valid():
        return _review(request, access, found, form, status=422)
    data = form.cleaned_data
    approve = data["decision"] == "approve"
    try:
        services.decide_case_study(
            found,
            approve=approve,
            allowed_quotes=[q.pk for q in data["allowed"]],
            reason=data["reason"],
            acting_user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _review(request, access, found, form, status=422)
    messages.success(
        request,
        gettext("Approved: thank you!")
        if approve
        else gettext("Rejected: the team will rework it with your reason."),
    )
    return redirect("advocacy_case_study_review", access.account.slug, found.pk)


@require_safe
@account_view("advocacy.view_case_study")
def case_study_download(
    request: AuthenticatedHttpRequest, access: AccountAccess, pk: int
) -> HttpResponse:
    found = _case_study(access, pk)
    if found.status != CaseStudyStatus.APPROVED:
        raise Http404("The case study is not approved yet.")
    response = HttpResponse(case_study_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case_study_filename(found)}"'
    return response
