"""One course in the console: its details, its lessons, its quiz, publishing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest
from portal.htmx import refuse

from .. import services
from ..figures import with_counts
from ..forms import CourseForm, QuizForm, quiz_text
from ..models import Course

PAGE = "academy/console_course.html"
QUIZ_PAGE = "academy/console_quiz.html"


def _course(pk: int) -> Course:
    return get_object_or_404(with_counts(Course.objects.all()), pk=pk)


def _context(course: Course, form: CourseForm) -> dict[str, Any]:
    return {
        "course": course,
        "form": form,
        "lessons": course.lessons.only("pk", "title", "position", "course_id"),
        "questions": course.questions.prefetch_related("choices"),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view()
def course_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = _course(pk)
    form = CourseForm(request.POST if request.method == "POST" else None, instance=course)
    if request.method != "POST":
        return render(request, PAGE, _context(course, form))
    if not form.is_valid():
        return render(request, PAGE, _context(_course(pk), form), status=422)
    services.update_course(course, fields=form.cleaned_data, acting_user=request.user)
    messages.success(request, _("Saved."))
    return redirect(course)


@require_POST
@vendor_view()
def course_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = _course(pk)
    published = request.POST.get("published") == "1"
    try:
        services.publish_course(course, published, acting_user=request.user)
    except ValidationError as error:
        return refuse(request, " ".join(error.messages))
    messages.success(
        request,
        _("Published: every account's people can take it now.")
        if published
        else _("Taken back: customers no longer see it."),
    )
    return redirect(course)


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view()
def quiz_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = _course(pk)
    data = request.POST if request.method == "POST" else None
    form = QuizForm(data, initial={"quiz": quiz_text(course)})
    context = {"course": course, "form": form}
    if request.method != "POST":
        return render(request, QUIZ_PAGE, context)
    if not form.is_valid():
        # What was typed stays in the form; the stored quiz is untouched.
        return render(request, QUIZ_PAGE, context, status=422)
    count = services.replace_quiz(
        course, questions=form.cleaned_data["quiz"], acting_user=request.user
    )
    messages.success(
        request,
        ngettext(
            "Saved the quiz: %(count)s question.", "Saved the quiz: %(count)s questions.", count
        )
        % {"count": count},
    )
    return redirect(course)
