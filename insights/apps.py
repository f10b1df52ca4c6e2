from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights: revenue, usage and health"

    def ready(self) -> None:
        # The usage panel and KPI figures register themselves; figure_inputs listens to writes.
        from . import figure_inputs, kpis, panels  # noqa: F401
