"""Where the churn forecast's renewal outcomes come from, besides the contract history.

An app that records how renewals ended (renewals, listed after forecast in INSTALLED_APPS, so
forecast never imports it) registers a source in its ``AppConfig.ready``::

    register_source(recorded_outcomes)

A source is called with the day the outcomes are read on and returns the outcomes decided by
then. Where a source and the contract history both have an outcome for the same account and
contract end, the source's wins: what the CSM recorded (a churn the contracts do not show yet,
a renewal signed before the old contract ended) is what happened. Sources registered earlier win
over later ones for the same renewal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

RENEWED = "renewed"
CHURNED = "churned"
CONTRACTED = "contracted"
LOST = frozenset({CHURNED, CONTRACTED})


@dataclass(frozen=True)
class Outcome:
    """How one renewal of an account ended."""

    account_id: int
    ended_on: date
    result: str  # RENEWED, CHURNED or CONTRACTED

    @property
    def lost(self) -> bool:
        return self.result in LOST

    @property
    def key(self) -> tuple[int, date]:
        """One renewal of an account: the day its contract (or contracts) ended."""
        return (self.account_id, self.ended_on)


Source = Callable[[date], Iterable[Outcome]]

_sources: list[Source] = []


def register_source(source: Source) -> Source:
    """Add ``source`` (once, however often ``ready`` runs); returns it, so it may decorate."""
    if source not in _sources:
        _sources.append(source)
    return source


def unregister_source(source: Source) -> None:
    """Take ``source`` out (tests)."""
    if source in _sources:
        _sources.remove(source)


def sources() -> tuple[Source, ...]:
    return tuple(_sources)


def merged(recorded: Iterable[Iterable[Outcome]], history: Iterable[Outcome]) -> list[Outcome]:
    """One outcome per account and contract end: the first source's that has it, else the
    contract history's. In the order of (account, end)."""
    found: dict[tuple[int, date], Outcome] = {}
    for outcomes in recorded:
        for outcome in outcomes:
            found.setdefault(outcome.key, outcome)
    for outcome in history:
        found.setdefault(outcome.key, outcome)
    return [found[key] for key in sorted(found)]
