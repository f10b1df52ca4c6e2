"""Slots on the account page that other features fill.

A feature registers a function that returns a panel (or None) for an account as one viewer
sees it; a feature that is not installed leaves no panel, never a placeholder.

    @register_panel(order=10)
    def onboarding_panel(request, access): ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .access import AccountAccess
from .http import AuthenticatedHttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelFunction = Callable[[AuthenticatedHttpRequest, AccountAccess], Panel | None]
_PANELS: list[tuple[int, PanelFunction]] = []


def register_panel(order: int = 100) -> Callable[[PanelFunction], PanelFunction]:
    def decorator(function: PanelFunction) -> PanelFunction:
        if function not in [f for _, f in _PANELS]:
            _PANELS.append((order, function))
            _PANELS.sort(key=lambda item: item[0])
        return function

    return decorator


def render_panels(request: AuthenticatedHttpRequest, access: AccountAccess) -> list[SafeString]:
    rendered = []
    for _, function in _PANELS:
        panel = function(request, access)
        if panel is not None:
            context = {"access": access, "account": access.account, **panel.context}
            rendered.append(SafeString(render_to_string(panel.template, context, request)))
    return rendered
