from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations: the embedded hub, webhooks, chat and calendar feeds"

    def ready(self) -> None:
        from playbooks.services.scan import also_scan_for

        from . import api, panels, signals  # noqa: F401 - the account panel, the event listeners
        from .services.chat import wanted_kinds
        from .services.webhooks import subscribed_scanned_kinds

        # The daily scan also looks for "task overdue" and "milestone missed" (and any scanned
        # signal) while an active endpoint subscribes to it, and for overdue tasks and health
        # drops while an active chat channel wants them.
        also_scan_for(subscribed_scanned_kinds)
        also_scan_for(wanted_kinds)
        api.register()
