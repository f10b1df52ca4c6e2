from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # Register every app's tasks in web processes too, where jobs may run in-process.
        from .celery import app

        app.autodiscover_tasks(force=True)
