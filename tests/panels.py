"""The account page as a browser shows it once its panels have loaded.

The page answers its shell with a placeholder per panel (``hx-get`` on load); a browser then
asks each panel's URL. :func:`account_page` does the same with the test client and puts each
panel where its placeholder was, so a test reads the page as a person does.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

PLACEHOLDER = re.compile(
    r'<section class="card panel-slot"[^>]*?hx-get="(?P<url>[^"]+)"[^>]*>.*?</section>', re.S
)


def panel_urls(html: str) -> list[str]:
    """The panels' URLs the shell asks for, in their order on the page."""
    return [match.group("url") for match in PLACEHOLDER.finditer(html)]


def with_panels(client: Any, response: Any) -> Any:
    """``response`` (the account page's shell) with every placeholder replaced by its panel,
    loaded the way htmx loads it."""
    if response.status_code != 200:
        return response

    def panel(match: re.Match[str]) -> str:
        part = client.get(match.group("url"), HTTP_HX_REQUEST="true")
        assert part.status_code == 200, (match.group("url"), part.status_code)
        return str(part.content.decode())

    response.content = PLACEHOLDER.sub(panel, response.content.decode()).encode()
    return response


def account_page(client: Any, slug: str, **extra: Any) -> Any:
    """GET the account page of ``slug`` and load its panels."""
    return with_panels(client, client.get(reverse("account_home", args=[slug]), **extra))
