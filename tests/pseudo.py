"""The pseudo-translation check: a page rendered in a made-up translation shows every string
that went through a catalogue inside ⟦ ⟧; any English word left outside is a string nobody
marked for translation.

    from tests.pseudo import english_left_on

    def test_the_plan_is_all_marked(client_as_champion):
        assert english_left_on(client_as_champion, "/a/acme/plan/", within="main",
                               allowed=["Acme"]) == []

How it works: :func:`pseudo_catalogue_dir` writes a catalogue for ``de`` (built once per test
run, into a temporary folder) in which every message of the portal's catalogue
(``locale/en/LC_MESSAGES/django.po``, so a string must also have been extracted with
``makemessages``) and of the installed apps' catalogues (Django's, allauth's) reads
``⟦<the English or the app's own translation>⟧``; :func:`pseudo_translation` puts it first in
``LOCALE_PATHS``. German stays the language, so numbers, dates and money are formatted as in
German: digits are never taken for English.

:func:`english_left` reads the HTML's text and the attributes people read (``title``, ``alt``,
``placeholder``, ``aria-label``, a button's ``value``), skips ``<script>``, ``<style>`` and
anything marked ``translate="no"`` (names of languages and time zones, say), drops what is
inside the markers, then whatever the caller ``allowed`` (people's and accounts' names, the
site's name: data, not words of the interface), addresses and numbers; what is left, one entry a
text, are the strings to mark.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from babel.dates import get_day_names, get_month_names
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import override_settings
from django.utils.translation import trans_real

OPEN, CLOSE = "⟦", "⟧"
PSEUDO_LANGUAGE = "de"
SOURCE_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "aria-description")
MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
NOT_WORDS = re.compile(
    r"https?://\S+|/[\w/.\-?=&#%]*|[\w.+-]+@[\w-]+(\.[\w-]+)+|\d[\d.,:%\s]*|&\w+;|[^\w]+"
)
WORD = re.compile(r"[A-Za-z]{2,}")


@cache
def _calendar_words() -> re.Pattern[str]:
    """German month and day names, as Babel writes dates (portal.formatting): formatted in the
    language, not words a catalogue carries."""
    names: set[str] = set()
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            names.update(get_month_names(width, context, locale=PSEUDO_LANGUAGE).values())
            names.update(get_day_names(width, context, locale=PSEUDO_LANGUAGE).values())
    words = sorted((re.escape(name) for name in names), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)")


def wrap(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def _installed_messages() -> dict[Any, str]:
    """Every message Django, allauth and the other installed apps translate into German, as
    the merged catalogue holds them (keys: "msgid", "context\\x04msgid", (msgid, n))."""
    with override_settings(LOCALE_PATHS=[]):
        return dict(trans_real.translation(PSEUDO_LANGUAGE)._catalog.items())  # type: ignore[attr-defined]


@cache
def pseudo_catalogue_dir() -> Path:
    """A folder for ``LOCALE_PATHS`` with the pseudo catalogue of ``de`` compiled in it."""
    catalog = Catalog(locale=PSEUDO_LANGUAGE, fuzzy=False)
    plurals: dict[tuple[str | None, str], dict[int, str]] = {}
    for key, translated in _installed_messages().items():
        if isinstance(key, tuple):
            context, _, msgid = key[0].rpartition("\x04")
            plurals.setdefault((context or None, msgid), {})[key[1]] = wrap(translated)
        elif key:
            context, _, msgid = key.rpartition("\x04")
            catalog.add(msgid, wrap(translated), context=context or None)
    for (context, msgid), forms in plurals.items():
        strings = tuple(forms.get(n, wrap(msgid)) for n in range(2))
        catalog.add((msgid, msgid), strings, context=context)
    if SOURCE_CATALOGUE.exists():
        with SOURCE_CATALOGUE.open("rb") as po:
            for message in read_po(po):
                if not message.id:
                    continue
                if isinstance(message.id, str):
                    string: Any = wrap(message.id)
                else:
                    string = (wrap(message.id[0]), wrap(message.id[1]))
                catalog.add(message.id, string, context=message.context)
    folder = Path(tempfile.mkdtemp(prefix="pseudo-locale-"))
    target = folder / PSEUDO_LANGUAGE / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "django.mo").open("wb") as mo:
        write_mo(mo, catalog)
    return folder


@contextmanager
def pseudo_translation() -> Iterator[str]:
    """Inside, ``de`` is the pseudo-translation (pages asked for in German show it); yields
    the language code to ask for."""
    with override_settings(LOCALE_PATHS=[pseudo_catalogue_dir()]):
        yield PSEUDO_LANGUAGE


class _Reader(HTMLParser):
    """The texts a person reads in a page (or in the element ``within`` names: an id, a class
    or a tag name), skipping scripts, styles and ``translate="no"``."""

    SKIP = frozenset({"script", "style", "template"})
    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    )

    def __init__(self, within: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.within = within
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, skipped, inside ``within``)
        self.texts: list[str] = []
        self.attributes: set[int] = set()  # which of ``texts`` are attributes' values

    def _state(self) -> tuple[bool, bool]:
        if not self.stack:
            return False, self.within is None
        return self.stack[-1][1], self.stack[-1][2]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        skipped, inside = self._state()
        named = dict(attrs)
        skipped = skipped or tag in self.SKIP or named.get("translate") == "no"
        classes = (named.get("class") or "").split()
        if self.within and (
            named.get("id") == self.within or self.within in classes or tag == self.within
        ):
            inside = True
        if inside and not skipped:
            for attribute in READ_ATTRIBUTES:
                if named.get(attribute):
                    self.attributes.add(len(self.texts))
                    self.texts.append(named[attribute] or "")
            if tag == "input" and named.get("type") in ("submit", "button") and named.get("value"):
                self.attributes.add(len(self.texts))
                self.texts.append(named["value"] or "")
        if tag not in self.VOID:
            self.stack.append((tag, skipped, inside))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        skipped, inside = self._state()
        if inside and not skipped and data.strip():
            self.texts.append(data)


def _outside_markers(text: str, depth: int) -> tuple[str, int]:
    """What of ``text`` is outside the markers, starting ``depth`` markers deep (a marker
    opened in an earlier text of the page), and how deep it ends."""
    out = []
    for char in text:
        if char == OPEN:
            depth += 1
            out.append(" ")
        elif char == CLOSE:
            assert depth, f"a marker {CLOSE} closes none opened: {text!r}"
            depth -= 1
            out.append(" ")
        elif depth:
            out.append(" ")
        else:
            out.append(char)
    return "".join(out), depth


def english_left(html: str, *, within: str | None = None, allowed: Iterable[str] = ()) -> list[str]:
    """The texts of ``html`` (inside the element ``within`` names) with English words left
    outside the markers, once the ``allowed`` data (names), addresses and numbers are taken
    out. Empty when everything a person reads was translated."""
    reader = _Reader(within)
    reader.feed(html)
    allowed = sorted({str(text) for text in allowed if text}, key=len, reverse=True)
    left = []
    depth = 0  # a translated sentence may hold tags (a link, a <strong>): its markers span texts
    for index, text in enumerate(reader.texts):
        if index in reader.attributes:
            if depth:  # an attribute of a tag inside a translated message: part of it
                continue
            rest, _ = _outside_markers(text, 0)
        else:
            rest, depth = _outside_markers(text, depth)
        for data in allowed:
            rest = rest.replace(data, " ")
        rest = NOT_WORDS.sub(" ", _calendar_words().sub(" ", rest))
        if WORD.search(rest):
            left.append(" ".join(text.split()))
    # Every marker opened is closed by the page's end: one left open would have hidden the
    # rest of the page from the check (a catalogue's translation with a marker lost, say).
    assert depth == 0, f"{depth} marker(s) {OPEN} left open at the end of the page"
    return left


def english_left_on(
    client: Any, path: str, *, within: str | None = "main", allowed: Iterable[str] = ()
) -> list[str]:
    """GET ``path`` with ``client`` in the pseudo-translation (the browser asks for German; a
    person whose profile or account names a language gets that one, so leave those blank) and
    return :func:`english_left` of it. The site's and the vendor's names are always allowed."""
    with pseudo_translation() as language:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
    names = [settings.SITE_NAME, getattr(settings, "VENDOR_NAME", ""), *allowed]
    return english_left(html, within=within, allowed=names)
