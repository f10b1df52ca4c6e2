"""Choices whose labels are translated: lazy where Django keeps them, a plain string when read.

A model field's ``choices`` are taken once, when the model class is made, so they stay lazy
(``gettext_lazy``) and come out in each reader's language (``get_FOO_display()``, forms). Code
that reads one member's ``.label`` gets a plain ``str`` in the active language, so it can be
joined, compared and typed like any other text, as when the labels were plain English.

    from portal.choices import TextChoices, gettext_lazy

    class Stage(TextChoices):
        ONBOARDING = "onboarding", gettext_lazy("Onboarding")

For the type checker (whose Django plugin reads ``TextChoices`` labels from their values) the
labels are ``str``: ``gettext_lazy`` here is Django's, typed as giving text. The name stays
``gettext_lazy`` so ``makemessages`` finds the strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.enums import ChoicesType
from django.utils.translation import gettext_lazy as _gettext_lazy

if TYPE_CHECKING:
    from django.db.models import TextChoices as TextChoices

    def gettext_lazy(message: str) -> str: ...

else:
    gettext_lazy = _gettext_lazy

    class TranslatedChoicesType(ChoicesType):
        @property
        def choices(cls) -> list[tuple[Any, Any]]:
            """As Django's, with each label lazy (``label`` below gives text)."""
            empty = [(None, cls.__empty__)] if hasattr(cls, "__empty__") else []
            return empty + [(member.value, member._label_) for member in cls]

    class TextChoices(models.TextChoices, metaclass=TranslatedChoicesType):
        """``models.TextChoices`` with ``gettext_lazy`` labels, each read as text."""

        @property
        def label(self) -> str:
            return str(self._label_)
