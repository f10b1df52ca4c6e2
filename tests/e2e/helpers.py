"""Helpers shared by the browser journeys: logging in, and checking a page with axe."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

AXE = Axe()
BLOCKING_IMPACTS = ("serious", "critical")
# axe's default rules, and WCAG 2.5.3 "label in name", which axe still tags experimental: a
# control's accessible name must start with (contain) its visible text.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}
# Matches allauth's own wording ("Email:", "Password:", "Sign In") and the portal's restyled
# log-in page ("Email", "Password", "Log in").
EMAIL_LABEL = re.compile(r"^\s*e-?mail", re.IGNORECASE)
PASSWORD_LABEL = re.compile(r"^\s*password", re.IGNORECASE)
SUBMIT_NAME = re.compile(r"^\s*(sign|log) ?in\s*$", re.IGNORECASE)


def login(page: Page, live_server: LiveServer, email: str, password: str) -> None:
    """Log in through allauth's real log-in page and wait until it has let us in."""
    page.goto(f"{live_server.url}/auth/login/")
    page.get_by_label(EMAIL_LABEL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name=SUBMIT_NAME).click()
    expect(page).not_to_have_url(re.compile(r"/auth/login/"))


def _format_violation(violation: dict[str, Any]) -> str:
    targets = "\n".join(
        f"      - {' > '.join(map(str, node['target']))}" for node in violation["nodes"]
    )
    return f"  {violation['id']} ({violation['impact']}): {violation['help']}\n{targets}"


def assert_accessible(page: Page, known: dict[str, str] | None = None) -> None:
    """Run axe on the page as it is now; fail on any serious or critical violation.

    ``known`` maps the id of a violation already reported as an app bug to its description:
    it is let through, but it must still occur, so that the exception goes once it is fixed.
    """
    known = known or {}
    violations = [
        v
        for v in AXE.run(page, options=AXE_OPTIONS).response["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]
    unexpected = [v for v in violations if v["id"] not in known]
    if unexpected:
        report = "\n".join(_format_violation(v) for v in unexpected)
        print(f"axe found serious or critical violations on {page.url}:\n{report}")
        pytest.fail(
            f"{len(unexpected)} serious or critical accessibility violation(s) on "
            f"{page.url}:\n{report}",
            pytrace=False,
        )
    fixed = sorted(set(known) - {v["id"] for v in violations})
    if fixed:
        pytest.fail(
            f"Known violation(s) {', '.join(fixed)} no longer occur on {page.url}: "
            "remove them from the test's known app bugs.",
            pytrace=False,
        )


def send_invitation(page: Page, email: str, role: str) -> None:
    """Fill in the "Invite someone" form of the People page and send it."""
    form = page.get_by_role("region", name="Invite someone")
    form.get_by_label(EMAIL_LABEL).fill(email)
    form.get_by_label("Role", exact=True).select_option(label=role)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Send invitation").click()
    response = posted.value
    assert response.status == 302, f"POST {response.url} answered {response.status}"
    page.wait_for_load_state()


def expect_pending_invitation(page: Page, email: str, role: str) -> None:
    """The People page confirms the invitation and lists it as pending."""
    expect(
        page.get_by_role("status").filter(has_text="An invitation is on its way")
    ).to_contain_text(f"An invitation is on its way to {email}")
    row = page.get_by_role("region", name="Invitations").get_by_role("row").filter(has_text=email)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text(role)
    expect(row).to_contain_text("Pending")
