from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def can(access: Any, capability: str) -> bool:
    """``{% if access|can:"people.invite" %}``: the tenancy table, asked from a template."""
    return bool(access) and access.can(capability)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter(name="markdown")
def markdown_filter(text: str) -> Any:
    """``{{ task.description|markdown }}``: rendered and sanitised Markdown."""
    from django.utils.safestring import mark_safe

    from portal.markdown import render_markdown

    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 just above
