"""Pages for reviews, the Wrapped and their PDFs. Every view goes through the tenancy helper."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import AccountAccess, account_view, vendor_view
from accounts.activity import record, snapshot

from . import services
from .figures import NoReport
from .forms import BatchForm, ReviewForm, WrappedNoteForm, WrappedYearForm
from .models import Report, Review, WrappedBatch, WrappedNote

REVIEW_FIELDS = ["title", "kind", "period_start", "period_end", "summary", "risks"]


def _reports(access: AccountAccess) -> Any:
    return services.visible_reports(access.account, customer=access.is_customer)


def _review(access: AccountAccess, pk: int) -> Review:
    return get_object_or_404(
        services.visible_reviews(access.account, customer=access.is_customer), pk=pk
    )


def _archive_context(access: AccountAccess, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "account": access.account,
        "documents": services.archive(access.account, customer=access.is_customer),
        "year_form": extra.pop("year_form", None) or WrappedYearForm(),
        "note_year": timezone.localdate().year,
        **extra,
    }


@account_view("reports.view")
def archive(request: HttpRequest, access: AccountAccess) -> HttpResponse:
    return render(request, "reports/archive.html", _archive_context(access))


@account_view("reports.view")
def report(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    version = get_object_or_404(_reports(access), pk=pk)
    context = {"access": access, "account": access.account, "report": version}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "reports/_status.html", context)
    return render(request, "reports/report.html", context)


@account_view("reports.view")
def download(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    version = get_object_or_404(_reports(access), pk=pk, status=Report.Status.READY)
    try:
        handle = version.file.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404("The file of this version is missing.") from exc
    record("downloaded", actor=request.user, account=access.account, target=version)
    return FileResponse(handle, as_attachment=True, filename=version.filename)


@require_POST
@account_view("reports.request")
def retry(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    version = get_object_or_404(_reports(access), pk=pk)
    if services.retry(version, user=request.user):  # type: ignore[arg-type]
        messages.info(request, "Trying again. This page shows when it is ready.")
    else:
        messages.info(request, "This version is not failed: nothing to try again.")
    return redirect(version)


def _asked(request: HttpRequest, version: Report, made_new: bool) -> HttpResponse:
    if not made_new and version.status == Report.Status.READY:
        messages.info(
            request,
            f"Nothing has changed since version {version.version}: here it is, ready to download.",
        )
    return redirect(version)


@require_POST
@account_view("reports.request")
def request_wrapped(request: HttpRequest, access: AccountAccess) -> HttpResponse:
    form = WrappedYearForm(request.POST)
    if not form.is_valid():
        return render(
            request, "reports/archive.html", _archive_context(access, year_form=form), status=400
        )
    try:
        version, made_new = services.request_wrapped(
            access.account,
            form.cleaned_data["year"],
            user=request.user,  # type: ignore[arg-type]
        )
    except NoReport as exc:
        form.add_error("year", str(exc))
        return render(
            request, "reports/archive.html", _archive_context(access, year_form=form), status=400
        )
    return _asked(request, version, made_new)


@account_view("reports.write")
def wrapped_note(request: HttpRequest, access: AccountAccess, year: int) -> HttpResponse:
    if not WrappedYearForm({"year": year}).is_valid():
        raise Http404("No Wrapped for that year.")
    note = WrappedNote.objects.filter(account=access.account, year=year).first()
    form = WrappedNoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        # update_or_create: two people saving at once both land, the later one wins.
        WrappedNote.objects.update_or_create(
            account=access.account,
            year=year,
            defaults={"body": form.cleaned_data["body"], "author": request.user},
        )
        record(
            "wrote the Wrapped note for",
            actor=request.user,
            account=access.account,
            target=access.account,
            after={"year": year},
            internal=True,
        )
        messages.success(request, f"Saved. The next {year} Wrapped you make prints it.")
        return redirect("reports", access.account.slug)
    status = 422 if request.method == "POST" else 200
    context = {"access": access, "account": access.account, "form": form, "year": year}
    return render(request, "reports/wrapped_note.html", context, status=status)


@account_view("reports.write")
def review_create(request: HttpRequest, access: AccountAccess) -> HttpResponse:
    form = ReviewForm(request.POST) if request.method == "POST" else ReviewForm.for_last_quarter()
    if request.method == "POST" and form.is_valid():
        review = form.save(commit=False)
        review.account, review.created_by = access.account, request.user
        review.save()
        record("started the review", actor=request.user, account=access.account, target=review)
        messages.success(request, "Review saved. Make its PDF to check it, then publish it.")
        return redirect(review)
    status = 422 if request.method == "POST" else 200
    context = {"access": access, "account": access.account, "form": form}
    return render(request, "reports/review_form.html", context, status=status)


@account_view("reports.write")
def review_edit(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    review = _review(access, pk)
    before = snapshot(review, REVIEW_FIELDS)
    form = ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            "edited the review",
            actor=request.user,
            account=access.account,
            target=review,
            before=before,
            after=snapshot(review, REVIEW_FIELDS),
        )
        messages.success(request, "Saved. Make the PDF again to include the changes.")
        return redirect(review)
    status = 422 if request.method == "POST" else 200
    context = {"access": access, "account": access.account, "form": form, "review": review}
    return render(request, "reports/review_form.html", context, status=status)


@account_view("reports.view")
def review(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    item = _review(access, pk)
    versions = _reports(access).filter(review=item).order_by("-version")
    context = {"access": access, "account": access.account, "review": item, "versions": versions}
    return render(request, "reports/review.html", context)


@require_POST
@account_view("reports.request")
def review_generate(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    item = _review(access, pk)
    version, made_new = services.request_review(item, user=request.user)  # type: ignore[arg-type]
    return _asked(request, version, made_new)


@require_POST
@account_view("reports.write")
def review_publish(request: HttpRequest, access: AccountAccess, pk: int) -> HttpResponse:
    item = _review(access, pk)
    publish = request.POST.get("publish") == "1"
    if publish and item.published_at is None:
        item.published_at = timezone.now()
        item.save(update_fields=["published_at", "updated_at"])
        services.request_review(item, user=request.user)  # type: ignore[arg-type]
        record("published the review", actor=request.user, account=access.account, target=item)
        messages.success(
            request, f"Published: {access.account.name}'s executives and champions see it now."
        )
    elif not publish and item.published_at is not None:
        item.published_at = None
        item.save(update_fields=["published_at", "updated_at"])
        record("unpublished the review", actor=request.user, account=access.account, target=item)
        messages.info(request, "Unpublished: the customer no longer sees this review.")
    return redirect(item)


# The CS admin's batches ------------------------------------------------------------------------


@vendor_view(admin_only=True)
def batches(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = services.start_batch(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, f"Making the {batch.year} Wrapped for {batch.total} accounts.")
        return redirect("wrapped_batch", batch.pk)
    runs = [(b, services.progress(b)) for b in WrappedBatch.objects.all()[:20]]
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/batches.html", {"form": form, "runs": runs}, status=status)


@vendor_view(admin_only=True)
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(WrappedBatch, pk=pk)
    context = {"batch": run, "progress": services.progress(run)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "reports/_batch_progress.html", context)
    failed = (
        Report.objects.filter(batch_items__batch=run, status=Report.Status.FAILED)
        .select_related("account")
        .order_by("account__name")[:50]
    )
    return render(request, "reports/batch.html", {**context, "failed": failed})
