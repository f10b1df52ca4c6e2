"""NPS, CSAT and CES, computed in the database (DESIGN.md, "Figures").

- NPS (0-10): % promoters (9-10) - % detractors (0-6), from -100 to +100.
- CSAT (1-5): % of answers that are 4 or 5.
- CES (1-7): the mean, and % of answers 5-7.

Every figure is built from one row of aggregates, so one query gives them all — for a whole
set of responses (:func:`summarize`) or per group (:data:`AGGREGATES` in ``.annotate()``). An
empty set has no figure (None), shown as "no responses", never a division by zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from .models import Kind

AGGREGATES: dict[str, Any] = {
    "nps_n": Count("pk", filter=Q(kind=Kind.NPS)),
    "nps_promoters": Count("pk", filter=Q(kind=Kind.NPS, score__gte=9)),
    "nps_detractors": Count("pk", filter=Q(kind=Kind.NPS, score__lte=6)),
    "csat_n": Count("pk", filter=Q(kind=Kind.CSAT)),
    "csat_satisfied": Count("pk", filter=Q(kind=Kind.CSAT, score__gte=4)),
    "ces_n": Count("pk", filter=Q(kind=Kind.CES)),
    "ces_easy": Count("pk", filter=Q(kind=Kind.CES, score__gte=5)),
    "ces_mean": Avg("score", filter=Q(kind=Kind.CES)),
}


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


@dataclass(frozen=True)
class NPS:
    responses: int
    promoters: int
    detractors: int

    @property
    def passives(self) -> int:
        return self.responses - self.promoters - self.detractors

    @property
    def promoters_percent(self) -> float | None:
        return _percent(self.promoters, self.responses)

    @property
    def passives_percent(self) -> float | None:
        return _percent(self.passives, self.responses)

    @property
    def detractors_percent(self) -> float | None:
        return _percent(self.detractors, self.responses)

    @property
    def score(self) -> float | None:
        """From -100 to +100; None with no responses."""
        if not self.responses:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.responses


@dataclass(frozen=True)
class CSAT:
    responses: int
    satisfied: int

    @property
    def score(self) -> float | None:
        """% of answers 4 or 5; None with no responses."""
        return _percent(self.satisfied, self.responses)


@dataclass(frozen=True)
class CES:
    responses: int
    easy: int
    mean: float | None

    @property
    def easy_percent(self) -> float | None:
        """% of answers 5-7; None with no responses."""
        return _percent(self.easy, self.responses)

    @property
    def score(self) -> float | None:
        return self.mean if self.responses else None


@dataclass(frozen=True)
class Summary:
    nps: NPS
    csat: CSAT
    ces: CES

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Summary:
        """From a row holding :data:`AGGREGATES` (an ``aggregate()`` or an ``annotate()``)."""
        mean = row["ces_mean"]
        return cls(
            nps=NPS(row["nps_n"], row["nps_promoters"], row["nps_detractors"]),
            csat=CSAT(row["csat_n"], row["csat_satisfied"]),
            ces=CES(row["ces_n"], row["ces_easy"], float(mean) if mean is not None else None),
        )

    @property
    def responses(self) -> int:
        return self.nps.responses + self.csat.responses + self.ces.responses

    def of(self, kind: str) -> NPS | CSAT | CES:
        return {Kind.NPS: self.nps, Kind.CSAT: self.csat, Kind.CES: self.ces}[Kind(kind)]


def summarize(responses: QuerySet[Any]) -> Summary:
    """Every figure for ``responses`` in one query."""
    return Summary.from_row(responses.order_by().aggregate(**AGGREGATES))


def nps(responses: QuerySet[Any]) -> NPS:
    return summarize(responses).nps


def csat(responses: QuerySet[Any]) -> CSAT:
    return summarize(responses).csat


def ces(responses: QuerySet[Any]) -> CES:
    return summarize(responses).ces
