from django.apps import AppConfig


class SuccessPlansConfig(AppConfig):
    name = "successplans"
    verbose_name = "Success plans"

    def ready(self) -> None:
        from . import panels  # noqa: F401 - registers the account page's success plan panel
