"""The CSM's personal note for an account's Wrapped of one year."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..forms import WrappedNoteForm, WrappedYearForm
from ..models import WrappedNote


@account_view("reports.write")
def wrapped_note(
    request: AuthenticatedHttpRequest, access: AccountAccess, year: int
) -> HttpResponse:
    if not WrappedYearForm({"year": year}).is_valid():
        raise Http404(gettext("No Wrapped for that year."))
    note = WrappedNote.objects.filter(account=access.account, year=year).first()
    form = WrappedNoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        services.save_wrapped_note(
            access.account,
            year,
            form.cleaned_data["body"],
            acting_user=request.user,
        )
        messages.success(
            request, _("Saved. The next %(year)s Wrapped you make prints it.") % {"year": year}
        )
        return redirect("reports", access.account.slug)
    status = 422 if request.method == "POST" else 200
    context = {"access": access, "account": access.account, "form": form, "year": year}
    return render(request, "reports/wrapped_note.html", context, status=status)
