from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "value"
    verbose_name = "Value realized"

    def ready(self) -> None:
        from . import panels  # noqa: F401 - registers the "Value realized" panel
