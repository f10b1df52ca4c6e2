"""From stored figures to a PDF: the HTML template, then WeasyPrint.

WeasyPrint fetches through :class:`StaticOnlyFetcher`: the project's own static files (the
stylesheet, the fonts, the vendor's logo) and ``data:`` URIs, nothing else: no network, no
other local file. Everything a user typed reaches the template as text and is escaped there.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portal import formatting
from portal.charts import Chart, bar_chart, line_chart

from .figures import LOGO_MAX_BYTES

# Static files are addressed under a host that cannot exist (.invalid never resolves), and the
# fetcher answers for it from the project's static directories.
STATIC_BASE = "https://static.portal.invalid/"
TEMPLATES = {"wrapped": "reports/pdf/wrapped.html", "review": "reports/pdf/review.html"}


class StaticOnlyFetcher(URLFetcher):
    """Answers for the project's static files and ``data:`` URIs; refuses everything else."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols={"data"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.static_path(url)
        if path is not None:
            with open(path, "rb") as handle:
                body = handle.read()
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": kind})
        self.refused.append(url)
        raise ValueError(f"not one of the portal's static files: {url}")

    @staticmethod
    def static_path(url: str) -> str | None:
        if not url.startswith(STATIC_BASE):
            return None
        parts = urlsplit(url)
        relative = PurePosixPath(unquote(parts.path).lstrip("/"))
        if parts.query or not relative.parts or ".." in relative.parts:
            return None
        try:
            found = finders.find(str(relative))
        except Exception:  # a suspicious path: refused like any other
            return None
        return found if isinstance(found, str) else None


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    seconds: float
    refused: list[str]


def charts(inputs: dict[str, Any]) -> dict[str, Chart]:
    """The SVG charts for the figures, drawn by the same module as the web pages."""
    made: dict[str, Chart] = {}
    name = inputs["brand"]["account"]
    # The account's colour where it has one (validated as #rrggbb), else the vendor's.
    color = inputs["brand"]["color"] or inputs["brand"]["vendor_color"]
    usage = inputs.get("usage")
    if inputs["kind"] == "wrapped" and usage:
        peak = max((m["mau"] or 0 for m in usage["months"]), default=0)
        made["months"] = bar_chart(
            [(m["label"], m["mau"]) for m in usage["months"]],
            title=gettext("Monthly active users at %(name)s, %(year)s")
            % {"name": name, "year": inputs["year"]},
            y_min=0,
            y_max=max(10.0, peak * 1.15),
            color=color,
        )
    if inputs["kind"] == "review":
        if usage and usage["weeks"]:
            made["weeks"] = line_chart(
                [(w["label"], float(w["wau"])) for w in usage["weeks"]],
                title=gettext("Weekly active users at %(name)s, week by week") % {"name": name},
                color=color,
            )
        if usage and usage["adoption"]:
            made["adoption"] = bar_chart(
                [(a["feature"], a["share"]) for a in usage["adoption"]],
                title=gettext("Share of monthly active users who used each feature"),
                y_min=0,
                y_max=100,
                color=color,
            )
        health = inputs.get("health")
        if health and len(health["history"]) > 1:
            made["health"] = line_chart(
                [(h["label"], float(h["score"])) for h in health["history"]],
                title=gettext("Health score at %(name)s through the period") % {"name": name},
                y_max=100,
                color=color,
            )
    return made


def logo_data_uri(logo: dict[str, str] | None) -> str | None:
    """The account's logo as a ``data:`` URI, read from storage now; None (the cover shows the
    account's initial) when it is gone, too large, or no longer the file that was asked for."""
    if not logo:
        return None
    try:
        with default_storage.open(logo["name"], "rb") as handle:
            data = handle.read(LOGO_MAX_BYTES + 1)
    except (OSError, ValueError):
        return None
    if len(data) > LOGO_MAX_BYTES or hashlib.sha256(data).hexdigest() != logo["sha256"]:
        return None
    return f"data:{logo['type']};base64,{base64.b64encode(data).decode()}"


def page_footer() -> str:
    """The CSS ``content`` of each page's "Page 2 of 4", in the active language."""
    words = gettext("Page %(number)s of %(pages)s").replace("\\", "").replace('"', "'")
    return f'"{words}"' % {"number": '" counter(page) "', "pages": '" counter(pages) "'}


def render_html(inputs: dict[str, Any], *, made_at: datetime | None = None) -> str:
    brand = {**inputs["brand"], "logo": logo_data_uri(inputs["brand"].get("logo"))}
    made_at = made_at or timezone.localtime()
    context = {
        "data": inputs,
        "brand": brand,
        "charts": charts(inputs),
        "static_base": STATIC_BASE,
        "made_at": made_at,
        "made_day": formatting.long_date(timezone.localtime(made_at).date()),
        "page_footer": page_footer(),
        "language": translation.get_language() or settings.LANGUAGE_CODE,  # <html lang>
    }
    return render_to_string(TEMPLATES[inputs["kind"]], context)


# Tagged PDF/UA-1: a structure tree a screen reader follows (headings, lists, tables, figures),
# MarkInfo /Marked true, the language, and the <title> shown as the window title
# (DisplayDocTitle) with XMP metadata. WeasyPrint 70 tags with this variant.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1"}


def render_pdf(html: str) -> Rendered:
    """WeasyPrint, fetching only our static files; a tagged PDF."""
    started = time.perf_counter()
    fetcher = StaticOnlyFetcher()
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).render(**PDF_OPTIONS)
    pdf = document.write_pdf(**PDF_OPTIONS)
    assert pdf is not None
    return Rendered(pdf, len(document.pages), time.perf_counter() - started, fetcher.refused)
