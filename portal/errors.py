"""Failures every app can meet, each with a message for the person who met it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class StaleEdit(Exception):
    """Someone else changed the thing since the form was loaded: the save is refused (409)
    and the page shows the other change."""

    def __init__(self, current: Any, message: str = "") -> None:
        super().__init__(message or gettext("Someone else changed this while you were editing it."))
        self.current = current
