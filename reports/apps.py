from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports: business reviews and the year-end Wrapped"

    def ready(self) -> None:
        from . import panels  # noqa: F401 - registers the reports panel on the account page
