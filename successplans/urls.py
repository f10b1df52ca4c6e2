from django.urls import include, path

from .views import checklist, portfolio

urlpatterns = [
    path("console/templates/", include("successplans.template_urls")),
    path("onboarding/", portfolio.onboarding_portfolio, name="onboarding_portfolio"),
    path("a/<slug:slug>/onboarding/", checklist.onboarding, name="onboarding"),
    path("a/<slug:slug>/onboarding/start/", checklist.onboarding_start, name="onboarding_start"),
    path("a/<slug:slug>/onboarding/ladder/", checklist.ladder, name="onboarding_ladder"),
    path("a/<slug:slug>/onboarding/tasks/add/", checklist.task_add, name="onboarding_task_add"),
    path("a/<slug:slug>/onboarding/tasks/<int:pk>/", checklist.task_detail, name="onboarding_task"),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/done/",
        checklist.task_done,
        name="onboarding_task_done",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/assign/",
        checklist.task_assign,
        name="onboarding_task_assign",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/comments/",
        checklist.task_comment,
        name="onboarding_task_comment",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/edit/",
        checklist.task_edit,
        name="onboarding_task_edit",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/delete/",
        checklist.task_delete,
        name="onboarding_task_delete",
    ),
    path(
        "a/<slug:slug>/onboarding/tasks/<int:pk>/move/",
        checklist.task_move,
        name="onboarding_task_move",
    ),
]
