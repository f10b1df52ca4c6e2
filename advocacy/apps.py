from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "advocacy"
    verbose_name = "Advocacy"

    def ready(self) -> None:
        from . import panels  # noqa: F401 - the account page's panel
