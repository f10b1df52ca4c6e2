from django.apps import AppConfig


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = "Feature adoption"

    def ready(self) -> None:
        from . import panels  # noqa: F401 - the account page's panels
