from __future__ import annotations

from decimal import Decimal

from django import template

from ..figures import sparkline
from ..models import KPI

register = template.Library()


@register.filter
def kpi_sparkline(kpi: KPI) -> str:
    """SVG points for the KPI's recorded values (its history, already loaded)."""
    return sparkline([v.value for v in kpi.history.all()])


@register.filter
def input_decimal(value: Decimal | None) -> str:
    """A KPI value as a form field holds it, to be typed over: no grouping, no trailing zeros
    ("1234.50" -> "1234.5"); empty for no value. Printing a value is ``|decimal``'s job."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
