"""Markdown that people type, rendered and sanitised: safe to show to anyone."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def _same_site_images(element: str, attribute: str, value: str) -> str | None:
    # Images only from the portal itself (an attached file's download view): the content
    # security policy blocks any other host, and a broken image helps nobody.
    if element == "img" and attribute == "src" and (value[:1] != "/" or value[:2] == "//"):
        return None
    return value


def render_markdown(text: str, *, images: bool = False) -> str:
    """Markdown to HTML, with anything but plain formatting and http(s) links removed. With
    ``images``, ``![alt](/path)`` images from the portal itself are kept too."""
    html = _md.render(text or "")
    # Headings people type sit under the page's own headings.
    html = (
        html.replace("<h1>", "<h3>")
        .replace("</h1>", "</h3>")
        .replace("<h2>", "<h4>")
        .replace("</h2>", "</h4>")
    )
    attributes = {"a": {"href", "title"}}
    if images:
        attributes["img"] = {"src", "alt", "title"}
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | {"img"} if images else ALLOWED_TAGS,
        attributes=attributes,
        attribute_filter=_same_site_images if images else None,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
