"""The portfolio's columns, which other features add to without accounts knowing them.

``accounts`` imports no feature, yet the CSM sorts the portfolio by health (insights), ARR
(insights) and open tasks (playbooks). Each feature registers a column when it loads (from its
``panels.py``, like :mod:`accounts.panels`): a label, a function that annotates the accounts
queryset (with a subquery, so the page's query count does not grow with the portfolio), the
annotation to sort by, and the template of one cell (it gets the account as ``a``).

    register_column("health", "Health", annotate=with_health, sort_field="health_score",
                    cell_template="insights/portfolio_cell_health.html", order=40)

A feature that is not installed leaves no column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, F, IntegerField, OrderBy, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.template import Template, engines
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from .figures import with_last_seen
from .models import Account, Membership

Annotate = Callable[[QuerySet[Account]], QuerySet[Account]]


def _unchanged(accounts: QuerySet[Account]) -> QuerySet[Account]:
    return accounts


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    annotate: Annotate
    sort_field: str
    cell_template: str
    order: int
    numeric: bool = False  # right-aligned, and the first sort is the largest first
    secondary: bool = False  # hidden on a phone

    def ordering(self, descending: bool) -> list[OrderBy]:
        """Sorted by the column's figure, accounts without one last either way."""
        field = F(self.sort_field)
        return [field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)]


_COLUMNS: dict[str, Column] = {}


def register_column(
    key: str,
    label: str | Promise,
    annotate: Annotate,
    sort_field: str,
    cell_template: str,
    order: int = 100,
    *,
    numeric: bool = False,
    secondary: bool = False,
) -> Column:
    """Add (or replace, when a module is loaded again) the column ``key``."""
    column = Column(key, label, annotate, sort_field, cell_template, order, numeric, secondary)
    _COLUMNS[key] = column
    return column


def portfolio_columns() -> list[Column]:
    return sorted(_COLUMNS.values(), key=lambda c: (c.order, c.key))


def rows_template(columns: list[Column]) -> Template:
    """One template for every row of the table (each account as ``a``, the rows as
    ``page.object_list``), made of the columns' cell templates: a page of 50 accounts is one
    template call, not an include per cell. Made once per process (each time in DEBUG, so an
    edited cell shows)."""
    cells = tuple((c.key, c.cell_template, c.numeric, c.secondary) for c in columns)
    if settings.DEBUG:
        return _rows_template.__wrapped__(cells)
    return _rows_template(cells)


@lru_cache(maxsize=32)
def _rows_template(cells: tuple[tuple[str, str, bool, bool], ...]) -> Template:
    tds = []
    for key, cell_template, numeric, secondary in cells:
        css = f"col-{key}{' num' if numeric else ''}{' col-secondary' if secondary else ''}"
        source = get_template(cell_template).template.source  # type: ignore[attr-defined]
        tds.append(f'<td class="{css}">{source.strip()}</td>\n          ')
    body = "".join(tds)
    source = (
        "{% for a in page.object_list %}\n        <tr>\n          "
        + body
        + "\n        </tr>\n      {% endfor %}"
    )
    return engines["django"].from_string(source).template  # type: ignore[attr-defined]


def annotate_columns(accounts: QuerySet[Account], columns: list[Column]) -> QuerySet[Account]:
    for column in columns:
        accounts = column.annotate(accounts)
    return accounts


def sort_by(accounts: QuerySet[Account], columns: list[Column], sort: str) -> QuerySet[Account]:
    """``sort`` is a column key, ``-key`` for the other way; then by name."""
    by_key = {c.key: c for c in columns}
    column = by_key.get(sort.removeprefix("-"))
    if column is None:
        return accounts.order_by("name", "pk")
    return accounts.order_by(*column.ordering(sort.startswith("-")), "name", "pk")


def valid_sort(columns: list[Column], sort: str, default: str = "name") -> str:
    return sort if sort.removeprefix("-") in {c.key for c in columns} else default


def sort_label(columns: list[Column], sort: str) -> str:
    """The sort in words, for the table's caption: "ARR, largest first"."""
    column = next((c for c in columns if c.key == sort.removeprefix("-")), None)
    if column is None:
        return ""
    descending = sort.startswith("-")
    if column.numeric:
        if descending:
            return gettext("%(column)s, largest first") % {"column": column.label}
        return gettext("%(column)s, smallest first") % {"column": column.label}
    if descending:
        return gettext("%(column)s, Z to A") % {"column": column.label}
    return gettext("%(column)s, A to Z") % {"column": column.label}


def header_links(columns: list[Column], params: dict[str, str], sort: str) -> list[dict[str, str]]:
    """Each column's header link (the same filters, the sort toggled) and its aria-sort.
    A figure's first click shows the largest first; a word's, A to Z."""
    headers = []
    for column in columns:
        key = column.key
        if sort == key:
            toggled = f"-{key}"
        elif sort == f"-{key}":
            toggled = key
        else:
            toggled = f"-{key}" if column.numeric else key
        aria = {key: "ascending", f"-{key}": "descending"}.get(sort, "")
        headers.append(
            {
                "key": key,
                "label": str(column.label),
                "url": "?" + urlencode({**params, "sort": toggled}),
                "aria_sort": aria,
                "numeric": "num" if column.numeric else "",
                "secondary": "col-secondary" if column.secondary else "",
            }
        )
    return headers


# The columns accounts knows itself -------------------------------------------------------------


def _with_people(accounts: QuerySet[Account]) -> QuerySet[Account]:
    people = (
        Membership.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return accounts.annotate(people=Coalesce(Subquery(people, output_field=IntegerField()), 0))


register_column("name", gettext_lazy("Account"), _unchanged, "name", "accounts/cells/name.html", 10)
register_column(
    "segment",
    gettext_lazy("Segment"),
    _unchanged,
    "segment",
    "accounts/cells/segment.html",
    20,
    secondary=True,
)
register_column(
    "stage", gettext_lazy("Stage"), _unchanged, "stage", "accounts/cells/stage.html", 30
)
register_column(
    "renewal",
    gettext_lazy("Renewal"),
    _unchanged,
    "renewal_date",
    "accounts/cells/renewal.html",
    60,
)
register_column(
    "last_seen",
    gettext_lazy("Last customer activity"),
    with_last_seen,
    "last_seen",
    "accounts/cells/last_seen.html",
    70,
)
register_column(
    "owner",
    gettext_lazy("Owner"),
    _unchanged,
    "owner__name",
    "accounts/cells/owner.html",
    90,
    secondary=True,
)
register_column(
    "people",
    gettext_lazy("People"),
    _with_people,
    "people",
    "accounts/cells/people.html",
    100,
    numeric=True,
    secondary=True,
)
