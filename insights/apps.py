from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights: revenue, usage and health"

    def ready(self) -> None:
        from . import kpis, panels  # noqa: F401 - registers the usage panel and KPI figures
