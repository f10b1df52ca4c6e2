"""Reading rendered pages in tests: the navigation's links, and a small HTML check.

Python's own ``html.parser`` (no validator is installed): it finds what the Nu checker reported
on our pages — duplicate ids, ``datetime`` values it cannot parse, ``aria-label`` on elements
with no role, block elements inside a paragraph, end tags that close the wrong element.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# End tags the HTML parser may leave out (the browser closes them by itself).
OPTIONAL_END = {"p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody"}
BLOCK_IN_P = {"div", "ul", "ol", "table", "section", "form", "h1", "h2", "h3", "p", "dl"}
# "2026-01-02", "2026-01-02T03:04", "2026-01-02T03:04:05" with an optional zone; no fraction.
DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?|\d{2}:\d{2}(:\d{2})?"
)
# Elements whose aria-label names something: interactive ones, landmarks, and any with a role.
NAMEABLE = {
    "a", "button", "input", "select", "textarea", "summary", "nav", "section", "aside", "form",
    "main", "header", "footer", "table", "img", "svg", "iframe", "details", "dialog", "fieldset",
    "output", "progress", "meter",
}  # fmt: skip


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.ids: dict[str, int] = {}
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        where = f"<{tag}{' id=' + str(attributes['id']) if attributes.get('id') else ''}>"
        if tag in BLOCK_IN_P and "p" in self.stack[-1:]:
            self.problems.append(f"{where} inside a <p>")
        if (ident := attributes.get("id")) is not None:
            self.ids[ident] = self.ids.get(ident, 0) + 1
        if (value := attributes.get("datetime")) is not None and not DATETIME.fullmatch(value):
            self.problems.append(f"{where} has datetime={value!r}")
        if "aria-label" in attributes and tag not in NAMEABLE and "role" not in attributes:
            self.problems.append(f"{where} has an aria-label but no role")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '—'}>")


def html_problems(html: str) -> list[str]:
    """What is wrong with a page's HTML, as sentences; empty when nothing is."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    duplicates = [f'id="{i}" is used {n} times' for i, n in checker.ids.items() if n > 1]
    return checker.problems + duplicates


class _LinkCollector(HTMLParser):
    """The links inside the first element that has ``class`` containing ``css_class``."""

    def __init__(self, css_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.css_class = css_class
        self.depth = 0  # > 0 while inside the element
        self.links: list[tuple[str, str]] = []
        self.href: str | None = None
        self.text = ""
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.done:
            return
        if self.depth:
            if tag not in VOID:
                self.depth += 1
            if tag == "a":
                self.href, self.text = attributes.get("href") or "", ""
        elif self.css_class in (attributes.get("class") or "").split():
            self.depth = 1

    def handle_data(self, data: str) -> None:
        if self.href is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.depth or tag in VOID:
            return
        if tag == "a" and self.href is not None:
            self.links.append((" ".join(self.text.split()), self.href))
            self.href = None
        self.depth -= 1
        if not self.depth:
            self.done = True


def nav_links(html: str, css_class: str = "mainnav") -> list[tuple[str, str]]:
    """``[(label, href), …]`` of the main navigation (or another element, by its class)."""
    collector = _LinkCollector(css_class)
    collector.feed(html)
    return collector.links
