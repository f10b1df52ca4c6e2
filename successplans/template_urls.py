"""The CSM's checklist templates, under /console/templates/."""

from django.urls import path

from .views import templates as views

urlpatterns = [
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
]
