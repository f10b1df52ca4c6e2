"""The vendor's courses: /academy/. CSMs and CS admins write them; every account sees the
published ones."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..figures import with_counts
from ..forms import CourseForm
from ..models import Course

PAGE = "academy/console_courses.html"


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view()
def console_courses(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CourseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        course = services.create_course(fields=form.cleaned_data, acting_user=request.user)
        return redirect(course)
    context = {"courses": with_counts(Course.objects.all()), "form": form}
    return render(request, PAGE, context, status=422 if form.is_bound else 200)
