from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from . import attachments, panels  # noqa: F401 - the account page's panel, the attachments slot
