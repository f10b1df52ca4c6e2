from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations: the embedded hub, webhooks, chat and calendar feeds"

    def ready(self) -> None:
        from . import panels, signals  # noqa: F401 - the account panel, the event listeners
