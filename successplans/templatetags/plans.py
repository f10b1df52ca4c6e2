from __future__ import annotations

from django import template

from ..figures import sparkline
from ..models import KPI

register = template.Library()


@register.filter
def kpi_sparkline(kpi: KPI) -> str:
    """SVG points for the KPI's recorded values (its history, already loaded)."""
    return sparkline([v.value for v in kpi.history.all()])
