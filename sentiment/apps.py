from django.apps import AppConfig


class SentimentConfig(AppConfig):
    name = "sentiment"
    verbose_name = "Sentiment of customers' comments"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - scores comments as they are written
