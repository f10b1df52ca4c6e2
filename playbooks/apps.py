from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = "Playbooks: signals, playbooks, runs and the CSM's tasks"

    def ready(self) -> None:
        from accounts.access import CAPABILITIES, VENDOR

        # The CSM's tasks are the vendor's. Registered from here, so that accounts/ (which
        # knows no feature) needs no edit for a feature that may not be installed.
        CAPABILITIES.setdefault("tasks.view", VENDOR)
        CAPABILITIES.setdefault("tasks.manage", VENDOR)

        from . import panels, signals  # noqa: F401 - the account panel, the event listeners
