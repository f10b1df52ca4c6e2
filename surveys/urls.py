from django.urls import path

from .views import account, console, exit_survey, follow_ups, prompt, public, results

urlpatterns = [
    # The vendor's console.
    path("surveys/", console.home, name="surveys"),
    path("surveys/new/", console.survey_create, name="survey_create"),
    path("surveys/<int:pk>/edit/", console.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/archive/", console.survey_archive, name="survey_archive"),
    path("surveys/campaigns/new/", console.campaign_create, name="survey_campaign_create"),
    path("surveys/campaigns/<int:pk>/", console.campaign_detail, name="survey_campaign"),
    path("surveys/campaigns/<int:pk>/send/", console.campaign_send, name="survey_campaign_send"),
    path("surveys/campaigns/<int:pk>/end/", console.campaign_end, name="survey_campaign_end"),
    path("surveys/results/", results.results, name="survey_results"),
    path("surveys/results/export.csv", results.export, name="survey_results_export"),
    path("surveys/follow-ups/", follow_ups.follow_ups, name="survey_follow_ups"),
    path("surveys/follow-ups/<int:pk>/", follow_ups.follow_up, name="survey_follow_up"),
    # E-mailed links: no log-in, a signed token.
    path("surveys/answer/<str:token>/", public.email_answer, name="survey_email_answer"),
    path("surveys/answer/<str:token>/comment/", public.email_comment, name="survey_email_comment"),
    path("surveys/unsubscribe/<str:token>/", public.unsubscribe, name="survey_unsubscribe"),
    # On an account.
    path("a/<slug:slug>/surveys/pause/", account.pause, name="survey_pause"),
    path("a/<slug:slug>/surveys/resume/", account.resume, name="survey_resume"),
    path("a/<slug:slug>/surveys/<int:pk>/answer/", prompt.answer, name="survey_answer"),
    path(
        "a/<slug:slug>/surveys/<int:pk>/exit/", exit_survey.exit_answer, name="survey_exit_answer"
    ),
    path("a/<slug:slug>/surveys/<int:pk>/comment/", prompt.comment, name="survey_comment"),
    path("a/<slug:slug>/surveys/<int:pk>/dismiss/", prompt.dismiss_prompt, name="survey_dismiss"),
    path("a/<slug:slug>/surveys/<int:pk>/snooze/", prompt.snooze_prompt, name="survey_snooze"),
]
