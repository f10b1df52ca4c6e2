"""The portal's URLs plus the two pages every page is measured against.

* ``/bench/bare/``: an ``HttpResponse("ok")``, no database, no template: what Django and
  gunicorn cost on their own.
* ``/bench/baseline/``: a page written the ordinary way, as anyone would write it with Django:
  ``login_required``, the portal's base layout, a table of 50 rows and their total, five queries
  in all (the session, the user, the bell in the header, the rows, the count).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from accounts.models import Account
from insights.models import UsageDay
from portal.urls import urlpatterns as portal_urlpatterns

BASELINE_ROWS = 50


def bare(request: HttpRequest) -> HttpResponse:
    """No database, no template: what Django and gunicorn cost on their own."""
    return HttpResponse("ok")


@login_required
def baseline(request: HttpRequest) -> HttpResponse:
    """The latest usage days of the accounts the viewer may see, newest first."""
    days = UsageDay.objects.filter(account__in=Account.objects.visible_to(request.user))
    context = {
        "rows": days.select_related("account").order_by("-day", "account__name")[:BASELINE_ROWS],
        "total": days.count(),
    }
    return render(request, "bench/baseline.html", context)


urlpatterns = [
    *portal_urlpatterns,
    path("bench/bare/", bare),
    path("bench/baseline/", baseline, name="bench_baseline"),
]
