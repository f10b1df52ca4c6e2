"""Slots on the account page that other features fill.

A feature registers a function that returns a panel (or None) for an account as one viewer
sees it; a feature that is not installed leaves no panel, never a placeholder.

    @register_panel(order=10, title="Onboarding", capability="onboarding.view")
    def onboarding_panel(request, access): ...

A panel may also sit on other pages built the same way: ``pages`` names them ("account", the
account page, by default; "360", the vendor's 360° page; "executive-home", the executive's home).
Each page asks for its own slots with :func:`panel_slots` and renders them with
``accounts/_panel_slot.html``, so every panel loads from the same address behind the same check.

The account page itself renders only its shell and, for each panel the viewer's role may see
(``capability``: a look-up in the capability table, no query), a placeholder of the panel's
usual ``height`` that htmx fills on load from the panel's own URL, ``/a/<slug>/panels/<name>/``
(:func:`accounts.views.panels.account_panel`). Each panel is one cheap request of its own, so
the page shows at once and a slow figure delays only its own card. Without JavaScript the
placeholder is a link to the same URL, which then answers a whole page around the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString

from .access import AccountAccess
from .http import AuthenticatedHttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelFunction = Callable[[AuthenticatedHttpRequest, AccountAccess], Panel | None]


@dataclass(frozen=True)
class PanelSlot:
    """A registered panel: where it sits, what its placeholder says, who may ask for it."""

    name: str  # its URL: /a/<slug>/panels/<name>/
    title: str | Promise  # the placeholder's text and the link without JavaScript (lazy)
    order: int
    capability: str
    height: str  # the placeholder's height (CSS), about the panel's usual one
    function: PanelFunction
    pages: tuple[str, ...] = ("account",)  # the pages it sits on

    def offered_to(self, access: AccountAccess) -> bool:
        """Whether the viewer's role may see this panel at all (the panel itself may still
        have nothing to show, and then renders nothing)."""
        return access.can(self.capability)


_PANELS: dict[str, PanelSlot] = {}
PAGES = ("account", "360", "executive-home")


def register_panel(
    order: int = 100,
    *,
    name: str = "",
    title: str | Promise = "",
    capability: str = "account.view",
    height: str = "8rem",
    pages: tuple[str, ...] = ("account",),
) -> Callable[[PanelFunction], PanelFunction]:
    unknown = set(pages) - set(PAGES)
    if unknown:
        raise ValueError(f"No such page for a panel: {sorted(unknown)}; pages are {PAGES}.")

    def decorator(function: PanelFunction) -> PanelFunction:
        slug = name or function.__name__.removesuffix("_panel").replace("_", "-")
        _PANELS[slug] = PanelSlot(
            name=slug,
            title=title or slug.replace("-", " ").capitalize(),
            order=order,
            capability=capability,
            height=height,
            function=function,
            pages=pages,
        )
        return function

    return decorator


def panel_slots(access: AccountAccess, page: str = "account") -> list[PanelSlot]:
    """The panels offered to this viewer on one page, in their order. No query."""
    slots = sorted(_PANELS.values(), key=lambda slot: (slot.order, slot.name))
    return [slot for slot in slots if page in slot.pages and slot.offered_to(access)]


def get_panel_slot(name: str) -> PanelSlot | None:
    return _PANELS.get(name)


def render_panel(
    slot: PanelSlot, request: AuthenticatedHttpRequest, access: AccountAccess
) -> SafeString:
    """The panel's HTML, or an empty string when it has nothing to show this viewer."""
    panel = slot.function(request, access)
    if panel is None:
        return SafeString("")
    context = {"access": access, "account": access.account, **panel.context}
    return SafeString(render_to_string(panel.template, context, request))


def render_panels(
    request: AuthenticatedHttpRequest, access: AccountAccess, page: str = "account"
) -> list[SafeString]:
    """Every panel of the viewer on one page, rendered now, in order (what the lazy
    placeholders load one by one)."""
    rendered = (render_panel(slot, request, access) for slot in panel_slots(access, page))
    return [html for html in rendered if html]
