from django.urls import path

from .views import account, console

urlpatterns = [
    # The CS admins'.
    path("offboarding/checklist/", console.offboarding_checklist, name="offboarding_checklist"),
    path(
        "offboarding/checklist/<int:pk>/move/",
        console.offboarding_checklist_move,
        name="offboarding_checklist_move",
    ),
    path(
        "offboarding/checklist/<int:pk>/remove/",
        console.offboarding_checklist_remove,
        name="offboarding_checklist_remove",
    ),
    # An account's.
    path("a/<slug:slug>/offboarding/", account.offboarding_page, name="offboarding"),
    path("a/<slug:slug>/offboarding/start/", account.offboarding_start, name="offboarding_start"),
    path(
        "a/<slug:slug>/offboarding/steps/<int:pk>/",
        account.offboarding_step_tick,
        name="offboarding_step_tick",
    ),
    path(
        "a/<slug:slug>/offboarding/exit-survey/",
        account.offboarding_exit_survey,
        name="offboarding_exit_survey",
    ),
    path(
        "a/<slug:slug>/offboarding/complete/",
        account.offboarding_complete,
        name="offboarding_complete",
    ),
]
