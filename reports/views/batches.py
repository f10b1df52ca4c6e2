"""The CS admin's Wrapped batches: the runs so far, the preview of a new one (how many
accounts get a Wrapped, which are skipped and why, a sample PDF), and starting it once the
preview is confirmed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Segment
from portal.errors import StaleEdit
from portal.formatting import number

from .. import services
from ..figures import NoReport
from ..forms import BatchForm, ConfirmBatchForm, SampleForm
from ..models import WrappedBatch


def _runs() -> list[tuple[WrappedBatch, services.Progress]]:
    return [(b, services.progress(b)) for b in WrappedBatch.objects.all()[:20]]


def _batches_page(
    request: AuthenticatedHttpRequest, form: BatchForm, status: int = 200
) -> HttpResponse:
    context = {"form": form, "runs": _runs()}
    return render(request, "reports/batches.html", context, status=status)


@vendor_view(admin_only=True)
def batches(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The runs, and the form that leads to a preview; a POST is the preview's confirmation."""
    if request.method != "POST":
        initial = {"year": timezone.localdate().year, **request.GET.dict()}
        return _batches_page(request, BatchForm(initial=initial))
    form = ConfirmBatchForm(request.POST)
    if not form.is_valid():
        return _batches_page(request, form, status=422)
    choices = form.cleaned_data
    try:
        batch = services.start_batch(
            year=choices["year"],
            segment=choices["segment"],
            email_executives=choices["email_executives"],
            expected_total=choices["accounts"],
            acting_user=request.user,
        )
    except StaleEdit as stale:
        return _preview_page(request, form, stale.current, notice=str(stale), status=409)
    messages.success(
        request,
        ngettext(
            "Making the %(year)s Wrapped for %(count)s account.",
            "Making the %(year)s Wrapped for %(count)s accounts.",
            batch.total,
        )
        % {"year": batch.year, "count": number(batch.total)},
    )
    return redirect("wrapped_batch", batch.pk)


def _preview_page(
    request: AuthenticatedHttpRequest,
    form: BatchForm,
    plan: services.BatchPlan,
    *,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    sample = plan.sample
    confirm = ConfirmBatchForm(
        initial={
            "year": plan.year,
            "segment": plan.segment,
            "email_executives": plan.email_executives,
            "accounts": plan.total,
        }
    )
    context: dict[str, Any] = {
        "form": form,
        "confirm": confirm,
        "plan": plan,
        "sample": sample,
        "sample_url": f"{reverse('wrapped_sample')}?{form.query()}&account={sample.pk}"
        if sample
        else None,
        "executives": plan.executives(),
        "segment_label": dict(Segment.choices).get(plan.segment, plan.segment),
        "form_query": form.query(),
        "notice": notice,
    }
    return render(request, "reports/batch_preview.html", context, status=status)


@require_GET
@vendor_view(admin_only=True)
def preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the batch would do; nothing starts until the admin confirms it here."""
    data = request.GET or {"year": timezone.localdate().year, "segment": ""}
    form = BatchForm(data)
    if not form.is_valid():
        return _batches_page(request, form, status=422)
    plan = services.plan_batch(
        year=form.cleaned_data["year"],
        segment=form.cleaned_data["segment"],
        email_executives=form.cleaned_data["email_executives"],
    )
    return _preview_page(request, form, plan)


@require_GET
@vendor_view(admin_only=True)
def sample(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One account's Wrapped, rendered now as a sample and stored nowhere: the customer sees
    nothing until the batch runs."""
    form = SampleForm(request.GET or {"year": timezone.localdate().year})
    if not form.is_valid():
        raise Http404(gettext("No such sample."))
    year = form.cleaned_data["year"]
    try:
        account, pdf = services.sample_wrapped(
            year=year, segment=form.cleaned_data["segment"], account=form.cleaned_data["account"]
        )
    except NoReport as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{account.slug}-wrapped-{year}-sample.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
