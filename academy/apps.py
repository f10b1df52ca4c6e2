from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Academy"

    def ready(self) -> None:
        from . import health, panels  # noqa: F401 - the account page's panel, the health part
