from typing import Any

from django.core.management.base import BaseCommand

from portal.jobs import relay_unsent_jobs


class Command(BaseCommand):
    help = (
        "Publish background jobs that never reached the broker (beat also runs this each minute)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="Include jobs made just now.")

    def handle(self, *args: Any, **options: Any) -> None:
        from datetime import timedelta

        sent = relay_unsent_jobs(older_than=timedelta(0) if options["all"] else None)
        self.stdout.write(f"{sent} job(s) published.")
