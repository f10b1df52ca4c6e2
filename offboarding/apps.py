from django.apps import AppConfig


class OffboardingConfig(AppConfig):
    name = "offboarding"
    verbose_name = "Offboarding"

    def ready(self) -> None:
        # A renewal marked churned starts the offboarding; an exit answer ticks its step.
        from . import panels, receivers  # noqa: F401
