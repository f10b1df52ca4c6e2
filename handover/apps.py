from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = "Sales-to-CS handover"

    def ready(self) -> None:
        from . import api, panels  # noqa: F401 - the 360° card, the API router

        # The API belongs to insights, which knows nothing of this app: the router is added
        # to it here, before the URLs are made.
        api.register()
