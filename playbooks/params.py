"""The settings a trigger, a condition or a step takes, described once so the editor can draw
them, check them and say what is wrong in words, naming the step.

    ParamField("days", "Days before the renewal", kind="int", minimum=1, maximum=365)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Choices = Callable[[], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class ParamField:
    name: str
    label: str
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
    help: str = ""
    options: dict[str, Any] = field(default_factory=dict)


def check(fields: Iterable[ParamField], values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` cleaned by ``fields``: (cleaned, errors in words). Unknown keys are dropped."""
    cleaned: dict[str, Any] = {}
    errors: list[str] = []
    for spec in fields:
        raw = values.get(spec.name, spec.default)
        if raw in (None, "", []):
            if spec.required:
                errors.append(f"{spec.label} is required.")
            elif spec.default is not None:
                cleaned[spec.name] = spec.default
            continue
        if spec.kind == "int":
            try:
                number = int(raw)
            except (TypeError, ValueError):
                errors.append(f"{spec.label} must be a whole number.")
                continue
            if spec.minimum is not None and number < spec.minimum:
                errors.append(f"{spec.label} must be at least {spec.minimum}.")
                continue
            if spec.maximum is not None and number > spec.maximum:
                errors.append(f"{spec.label} must be at most {spec.maximum}.")
                continue
            cleaned[spec.name] = number
        elif spec.kind in ("choice", "choices"):
            known = {str(key) for key, _ in (spec.choices() if spec.choices else [])}
            picked = raw if isinstance(raw, list) else [raw]
            if spec.kind == "choice" and len(picked) != 1:
                errors.append(f"Choose one {spec.label.lower()}.")
                continue
            unknown = [str(p) for p in picked if str(p) not in known]
            if unknown:
                errors.append(f"{spec.label}: “{unknown[0]}” does not exist.")
                continue
            cleaned[spec.name] = [str(p) for p in picked] if spec.kind == "choices" else str(raw)
        elif spec.kind == "bool":
            cleaned[spec.name] = raw in (True, "1", "on", "true", 1)
        else:
            text = str(raw).strip()
            if len(text) > spec.max_length:
                errors.append(f"{spec.label} is too long (at most {spec.max_length} characters).")
                continue
            cleaned[spec.name] = text
    return cleaned, errors
