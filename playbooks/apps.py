from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = "Playbooks: signals, playbooks, runs and the CSM's tasks"

    def ready(self) -> None:
        from . import panels, signals  # noqa: F401 - the account panel, the event listeners
