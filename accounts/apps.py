from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and people"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import attention  # noqa: F401 - the executive's "needs your attention" panel
        from .services import record_login, track_session

        user_logged_in.connect(track_session, dispatch_uid="accounts.track_session")
        user_logged_in.connect(record_login, dispatch_uid="accounts.record_login")
