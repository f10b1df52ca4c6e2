"""Sign a token as the vendor's backend would, for trying the embedded hub by hand."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...models import EmbedSettings
from ...services.embed import sign_token


class Command(BaseCommand):
    help = (
        "Print an /embed/?token=… address for a person and an account, signed with the current "
        "embed secret and good for 5 minutes, once: what the product's page would frame."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="The person's e-mail address (the token's sub).")
        parser.add_argument("account", help="The account's slug, or the product's id for it.")
        parser.add_argument("--name", default="", help="Their name, for a first visit.")
        parser.add_argument("--role", default="", help="champion, executive or member.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not EmbedSettings.load().has_secret:
            raise CommandError(
                "No embed secret yet: a CS admin makes one under Settings → Embedding."
            )
        token = sign_token(
            email=options["email"],
            account=options["account"],
            name=options["name"],
            role=options["role"],
        )
        self.stdout.write(f"{settings.SITE_URL}/embed/?token={token}")
