"""A lesson in the console: add, edit, attach files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import vendor_view
from accounts.http import AuthenticatedHttpRequest

from .. import services
from ..figures import lesson_html
from ..forms import LessonFileForm, LessonForm
from ..models import Course, Lesson

PAGE = "academy/console_lesson.html"


def _context(
    course: Course, lesson: Lesson | None, form: LessonForm, file_form: LessonFileForm
) -> dict[str, Any]:
    files = list(lesson.files.all()) if lesson else []
    return {
        "course": course,
        "lesson": lesson,
        "form": form,
        "file_form": file_form,
        "files": files,
        "preview": lesson_html(
            lesson, files, lambda f: reverse("academy_console_file", args=[course.pk, f.pk])
        )
        if lesson
        else "",
    }


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view()
def lesson_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    form = LessonForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, PAGE, _context(course, None, form, LessonFileForm()))
    if not form.is_valid():
        return render(request, PAGE, _context(course, None, form, LessonFileForm()), status=422)
    lesson = services.add_lesson(course, fields=form.cleaned_data, acting_user=request.user)
    messages.success(request, _("Lesson added. Attach its files below."))
    return redirect("academy_lesson_edit", course.pk, lesson.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_view()
def lesson_edit(request: AuthenticatedHttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    lesson = get_object_or_404(course.lessons, pk=lesson_pk)
    form = LessonForm(request.POST if request.method == "POST" else None, instance=lesson)
    if request.method != "POST":
        return render(request, PAGE, _context(course, lesson, form, LessonFileForm()))
    if not form.is_valid():
        fresh = get_object_or_404(course.lessons, pk=lesson_pk)
        return render(request, PAGE, _context(course, fresh, form, LessonFileForm()), status=422)
    services.update_lesson(lesson, fields=form.cleaned_data, acting_user=request.user)
    messages.success(request, _("Saved."))
    return redirect("academy_lesson_edit", course.pk, lesson.pk)


@require_POST
@vendor_view()
def lesson_file_add(request: AuthenticatedHttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    lesson = get_object_or_404(course.lessons, pk=lesson_pk)
    file_form = LessonFileForm(request.POST, request.FILES)
    if not file_form.is_valid():
        return render(
            request,
            PAGE,
            _context(course, lesson, LessonForm(instance=lesson), file_form),
            status=422,
        )
    attached = services.attach_file(
        lesson, upload=file_form.cleaned_data["file"], acting_user=request.user
    )
    messages.success(
        request,
        _("Attached %(name)s. Show it in the text with ![…](attachment:%(name)s).")
        % {"name": attached.name},
    )
    return redirect("academy_lesson_edit", course.pk, lesson.pk)
