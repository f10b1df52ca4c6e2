from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "renewals"
    verbose_name = "Renewals"

    def ready(self) -> None:
        from forecast.outcomes import register_source

        from . import receivers  # noqa: F401 - a contract written makes its renewal
        from .figures import recorded_outcomes

        # The churn forecast learns from the renewals the CSMs closed (forecast, listed before
        # renewals, never imports it).
        register_source(recorded_outcomes)
