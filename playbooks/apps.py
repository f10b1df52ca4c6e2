from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = "Playbooks: signals, playbooks, runs and the CSM's tasks"

    def ready(self) -> None:
        from accounts.change_words import word_values

        from . import panels, signals  # noqa: F401 - the account panel, the event listeners
        from .words import RECORDED, words

        word_values(RECORDED, words)  # a run's activity keeps its texts this way
