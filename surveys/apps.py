from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys: NPS, CSAT and CES"

    def ready(self) -> None:
        from . import kpis, panels, signals  # noqa: F401 - registers panels, KPI figures, triggers
