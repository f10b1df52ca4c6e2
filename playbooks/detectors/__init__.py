"""The signals nobody's save raises: found by the daily scan (renewal in N days, onboarding
stalled, no log-in for N days, seats nearly full, …) and for "on a schedule".

A detector takes a playbook's trigger settings and the moment of the scan and yields the
accounts that meet it now, each as a :class:`Candidate` whose ``source`` makes the event
unique (a renewal 90 days out is one event per contract end and threshold, not one a day).
Detectors answer for every account in a few queries, never one per account.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Candidate:
    account_id: int
    source: str
    data: dict[str, Any] = field(default_factory=dict)


Detector = Callable[[dict[str, Any], datetime], Iterable[Candidate]]
DETECTORS: dict[str, Detector] = {}

# One module per family of signals; each registers its detectors when imported.
MODULES: list[str] = []


def detector(kind: str) -> Callable[[Detector], Detector]:
    def decorator(function: Detector) -> Detector:
        DETECTORS[kind] = function
        return function

    return decorator


def load() -> dict[str, Detector]:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return DETECTORS
