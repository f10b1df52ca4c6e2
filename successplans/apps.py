from django.apps import AppConfig


class SuccessPlansConfig(AppConfig):
    name = "successplans"
    verbose_name = "Onboarding and success plans"
