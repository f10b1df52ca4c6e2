from django.apps import AppConfig


class SuccessPlansConfig(AppConfig):
    name = "successplans"
    verbose_name = "Onboarding and success plans"

    def ready(self) -> None:
        from . import panels  # noqa: F401 - registers the account page's onboarding panel
