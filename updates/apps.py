from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "updates"
    verbose_name = "Product updates"

    def ready(self) -> None:
        from . import panels  # noqa: F401 - registers the account page's panel
