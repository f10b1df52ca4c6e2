"""The academy: each account's courses (/a/<slug>/academy/...) and the vendor's console
(/academy/...)."""

from django.urls import path

from .views import (
    certificate,
    console_course,
    console_courses,
    console_lesson,
    course,
    courses,
    files,
    lesson,
    portfolio,
    progress,
    quiz,
)

A = "a/<slug:slug>/academy/"

urlpatterns = [
    path(A, courses.courses, name="academy"),
    path(f"{A}progress/", progress.progress, name="academy_progress"),
    path(f"{A}assign/", progress.assign, name="academy_assign"),
    path(f"{A}checklist/", progress.add_to_checklist, name="academy_checklist"),
    path(f"{A}<int:pk>/", course.course, name="academy_course"),
    path(f"{A}<int:pk>/lessons/<int:lesson_pk>/", lesson.lesson, name="academy_lesson"),
    path(
        f"{A}<int:pk>/lessons/<int:lesson_pk>/done/", lesson.lesson_done, name="academy_lesson_done"
    ),
    path(f"{A}<int:pk>/quiz/", quiz.quiz, name="academy_quiz"),
    path(f"{A}<int:pk>/files/<int:file_pk>/", files.lesson_file, name="academy_file"),
    path(f"{A}certificates/<int:pk>/", certificate.certificate, name="academy_certificate"),
    path("academy/", console_courses.console_courses, name="academy_courses"),
    path("academy/progress/", portfolio.portfolio, name="academy_portfolio"),
    path("academy/<int:pk>/", console_course.course_edit, name="academy_course_edit"),
    path("academy/<int:pk>/publish/", console_course.course_publish, name="academy_course_publish"),
    path("academy/<int:pk>/quiz/", console_course.quiz_edit, name="academy_quiz_edit"),
    path("academy/<int:pk>/lessons/add/", console_lesson.lesson_add, name="academy_lesson_add"),
    path(
        "academy/<int:pk>/lessons/<int:lesson_pk>/",
        console_lesson.lesson_edit,
        name="academy_lesson_edit",
    ),
    path(
        "academy/<int:pk>/lessons/<int:lesson_pk>/files/",
        console_lesson.lesson_file_add,
        name="academy_lesson_file_add",
    ),
    path("academy/<int:pk>/files/<int:file_pk>/", files.console_file, name="academy_console_file"),
]
