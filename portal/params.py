"""Numbers and ids read from a query string or form data, where junk is a 404, never a 500."""

from __future__ import annotations

from django.http import Http404, HttpRequest

MAX_ID = 2**63 - 1  # the primary keys are BigAutoFields: anything larger names no row


def positive_int(raw: str | None, *, most: int = MAX_ID) -> int | None:
    """``raw`` as a whole number from 1 to ``most``, else None ("abc", "-1", "1e9", "0", "",
    a number beyond any id)."""
    if raw is None or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 1 <= value <= most else None


def id_param(request: HttpRequest, name: str) -> int:
    """An id the request names in its form data or query string; 404 for anything that is not
    one, like an id that does not exist."""
    value = positive_int(request.POST.get(name) or request.GET.get(name))
    if value is None:
        raise Http404(f"No such {name}.")
    return value
