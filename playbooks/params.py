"""The settings a trigger, a condition or a step takes, described once so the editor can draw
them, check them and say what is wrong in words, naming the step.

    ParamField("days", "Days before the renewal", kind="int", minimum=1, maximum=365)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from portal.content_languages import base_language, other_languages

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

# Labels are lazy translations (the fields are described at import time).
Choices = Callable[[], Iterable[tuple[str, "_StrOrPromise"]]]


@dataclass(frozen=True)
class ParamField:
    name: str
    label: _StrOrPromise
    # "int", "text", "longtext", "choice", "choices" (several), "bool"
    kind: str = "text"
    required: bool = True
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200
    # For "choice" and "choices": called when the form is drawn and when it is checked, so
    # it names what exists now (templates, surveys, staff).
    choices: Choices | None = None
    help: _StrOrPromise = ""
    options: dict[str, Any] = field(default_factory=dict)


def in_other_languages(spec: ParamField) -> list[ParamField]:
    """``spec``'s versions in each language but the site's, all optional: ``note_de``,
    ``note_fr``… A step that writes to people picks each person's (:func:`in_language`)."""
    return [
        ParamField(
            f"{spec.name}_{code}",
            format_lazy(gettext_lazy("{label}, in {language}"), label=spec.label, language=name),
            kind=spec.kind,
            required=False,
            max_length=spec.max_length,
            help=gettext_lazy("Optional: people who read this language get it instead."),
            options={"language": code, "version_of": spec.name},
        )
        for code, name in other_languages()
    ]


def in_language(params: dict[str, Any], name: str, language: str) -> str:
    """The text ``name`` in ``language``: its version there when one was written, else the
    default one."""
    code = base_language(language)
    version = params.get(f"{name}_{code}") if code != settings.LANGUAGE_CODE else None
    return str(version or params.get(name) or "")


def check(fields: Iterable[ParamField], values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` cleaned by ``fields``: (cleaned, errors in words). Unknown keys are dropped."""
    cleaned: dict[str, Any] = {}
    errors: list[str] = []
    for spec in fields:
        raw = values.get(spec.name, spec.default)
        if raw in (None, "", []):
            if spec.required:
                errors.append(gettext("%(field)s is required.") % {"field": spec.label})
            elif spec.default is not None:
                cleaned[spec.name] = spec.default
            continue
        if spec.kind == "int":
            try:
                number = int(raw)
            except (TypeError, ValueError):
                errors.append(gettext("%(field)s must be a whole number.") % {"field": spec.label})
                continue
            if spec.minimum is not None and number < spec.minimum:
                errors.append(
                    gettext("%(field)s must be at least %(minimum)s.")
                    % {"field": spec.label, "minimum": spec.minimum}
                )
                continue
            if spec.maximum is not None and number > spec.maximum:
                errors.append(
                    gettext("%(field)s must be at most %(maximum)s.")
                    % {"field": spec.label, "maximum": spec.maximum}
                )
                continue
            cleaned[spec.name] = number
        elif spec.kind in ("choice", "choices"):
            known = {str(key) for key, _ in (spec.choices() if spec.choices else [])}
            picked = raw if isinstance(raw, list) else [raw]
            if spec.kind == "choice" and len(picked) != 1:
                errors.append(gettext("Choose one %(field)s.") % {"field": str(spec.label).lower()})
                continue
            unknown = [str(p) for p in picked if str(p) not in known]
            if unknown:
                errors.append(
                    gettext("%(field)s: “%(value)s” does not exist.")
                    % {"field": spec.label, "value": unknown[0]}
                )
                continue
            cleaned[spec.name] = [str(p) for p in picked] if spec.kind == "choices" else str(raw)
        elif spec.kind == "bool":
            cleaned[spec.name] = raw in (True, "1", "on", "true", 1)
        else:
            text = str(raw).strip()
            if len(text) > spec.max_length:
                errors.append(
                    gettext("%(field)s is too long (at most %(max)s characters).")
                    % {"field": spec.label, "max": spec.max_length}
                )
                continue
            cleaned[spec.name] = text
    return cleaned, errors
