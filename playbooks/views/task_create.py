"""A task made by hand, from the account (vendor staff only)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AccountAccess, account_view
from accounts.http import AuthenticatedHttpRequest

from ..forms import TaskForm
from ..services.csm_tasks import TaskRefused, create_task


@account_view("tasks.manage")
def task_create(request: AuthenticatedHttpRequest, access: AccountAccess) -> HttpResponse:
    account = access.account
    initial = {
        "assignee": account.owner_id or request.user.pk,
        "due_on": timezone.localdate() + timedelta(days=2),
    }
    form = TaskForm(request.POST or None, initial=initial)
    context = {"form": form, "account": account, "access": access}
    if request.method != "POST":
        return render(request, "playbooks/task_form.html", context)
    if form.is_valid():
        data = form.cleaned_data
        try:
            create_task(
                account,
                title=data["title"],
                due_on=data["due_on"],
                assignee=data["assignee"],
                priority=data["priority"],
                reason=data["reason"],
                acting_user=request.user,
            )
        except TaskRefused as refusal:
            form.add_error("assignee", str(refusal))
        else:
            messages.success(request, _("The task was added."))
            return redirect(account.get_absolute_url())
    return render(request, "playbooks/task_form.html", context, status=422)
