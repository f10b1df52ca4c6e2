"""Onboarding: the CSM's checklist templates, the onboarding portfolio, and each account's
checklist with its tasks."""

from django.urls import URLPattern, URLResolver, include, path

from .views import checklist, form_fields, portfolio, task, task_form
from .views import templates as views

template_urls: list[URLPattern] = [
    path("", views.template_list, name="template_list"),
    path("new/", views.template_create, name="template_create"),
    path("<int:pk>/", views.template_edit, name="template_edit"),
    path("<int:pk>/copy/", views.template_copy, name="template_copy"),
    path("<int:pk>/archive/", views.template_archive, name="template_archive"),
    path("<int:pk>/restore/", views.template_restore, name="template_restore"),
    path("<int:pk>/phases/add/", views.phase_add, name="phase_add"),
    path("<int:pk>/phases/<int:phase_pk>/", views.phase_edit, name="phase_edit"),
    path("<int:pk>/phases/<int:phase_pk>/move/", views.phase_move, name="phase_move"),
    path("<int:pk>/phases/<int:phase_pk>/delete/", views.phase_delete, name="phase_delete"),
    path(
        "<int:pk>/phases/<int:phase_pk>/tasks/add/",
        views.template_task_add,
        name="template_task_add",
    ),
    path("<int:pk>/tasks/<int:task_pk>/", views.template_task_edit, name="template_task_edit"),
    path("<int:pk>/tasks/<int:task_pk>/move/", views.template_task_move, name="template_task_move"),
    path(
        "<int:pk>/tasks/<int:task_pk>/delete/",
        views.template_task_delete,
        name="template_task_delete",
    ),
    path(
        "<int:pk>/tasks/<int:task_pk>/fields/add/",
        form_fields.template_field_add,
        name="template_field_add",
    ),
    path(
        "<int:pk>/tasks/<int:task_pk>/fields/<int:field_pk>/",
        form_fields.template_field_edit,
        name="template_field_edit",
    ),
    path(
        "<int:pk>/tasks/<int:task_pk>/fields/<int:field_pk>/move/",
        form_fields.template_field_move,
        name="template_field_move",
    ),
    path(
        "<int:pk>/tasks/<int:task_pk>/fields/<int:field_pk>/delete/",
        form_fields.template_field_delete,
        name="template_field_delete",
    ),
    path("<int:pk>/answers.csv", form_fields.template_form_csv, name="template_form_csv"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("console/templates/", include(template_urls)),
    path("onboarding/", portfolio.onboarding_portfolio, name="onboarding_portfolio"),
    path("a/<slug:slug>/onboarding/", checklist.onboarding, name="onboarding"),
    path(
        "a/<slug:slug>/onboarding/phases/<int:phase_pk>/",
        checklist.phase,
        name="onboarding_phase",
    ),
    path("a/<slug:slug>/onboarding/forms/", checklist.checklist_forms, name="onboarding_forms"),
    path("a/<slug:slug>/onboarding/start/", checklist.onboarding_start, name="onboarding_start"),
    path("a/<slug:slug>/onboarding/ladder/", checklist.ladder, name="onboarding_ladder"),
    path("a/<slug:slug>/onboarding/tasks/add/", checklist.task_add, name="onboarding_task_add"),
    path("a/<slug:slug>/onboarding/tasks/<int:pk>/", task.task_detail, name="onboarding_task"),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/done/",
        checklist.task_done,
        name="onboarding_task_done",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/assign/",
        task.task_assign,
        name="onboarding_task_assign",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/comments/",
        task.task_comment,
        name="onboarding_task_comment",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/edit/",
        task.task_edit,
        name="onboarding_task_edit",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/answers/",
        task_form.task_answer,
        name="onboarding_task_answer",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/answers.csv",
        task_form.task_answers_csv,
        name="onboarding_task_answers_csv",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/delete/",
        task.task_delete,
        name="onboarding_task_delete",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/move/",
        checklist.task_move,
        name="onboarding_task_move",
    ),
]
