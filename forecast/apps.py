from django.apps import AppConfig


class ForecastConfig(AppConfig):
    name = "forecast"
    verbose_name = "Churn forecast"

    def ready(self) -> None:
        from . import panels  # noqa: F401 - registers the 360° page's card
