"""One onboarding, one percentage, on every surface that prints it.

The bug: the same onboarding read 50% to the champion, 55% to the CSM, 42% in the Wrapped and
"3 of 12" in the review PDF. Here one checklist with required, optional and internal tasks,
some done, is read from the champion's and the CSM's checklist pages, the onboarding
portfolio, the account page's panel (both sides) and the reminder e-mail (HTML and text), and
every one prints the same figure (the PDFs and the API are checked where they are built, with
onboarding.figures.progress_at and summary).
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from onboarding.figures import summary
from onboarding.models import Checklist, Task
from onboarding.services import send_reminders, set_task_done
from tests.conftest import World, client_for
from tests.onboarding_helpers import DAY, NOW, start
from tests.panels import account_page


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


class Figures(HTMLParser):
    """The text of every element marked ``data-figure="onboarding-percent"`` and the value of
    every progress bar, in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.percents: list[str] = []
        self.bars: dict[str, str] = {}
        self._open: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("role") == "progressbar":
            self.bars[attributes.get("aria-label") or ""] = attributes.get("aria-valuenow") or ""
        if attributes.get("data-figure") == "onboarding-percent":
            self._open.append("")
            self._depth = 1
        elif self._open:
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._depth -= 1
            if self._depth == 0:
                self.percents.append(self._open.pop().strip())

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1] += data


def read(html: str) -> Figures:
    figures = Figures()
    figures.feed(html)
    return figures


def portfolio_row(html: str, account: str) -> str:
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)
    [row] = [r for r in rows if f">{account}</a>" in r]
    return row


@pytest.fixture
def checklist(world: World) -> Checklist:
    """Counted: the kickoff call (vendor side), the goals and the data; the first report is
    made optional, the handover is internal. Done: the kickoff call and the goals (2 of 3
    counted: 67%), plus the internal handover and the optional training, which would make it
    75% or 80% under the old definitions."""
    checklist = start(world, DAY - timedelta(days=5))
    Task.objects.filter(title="First report shared").update(required=False)
    for title, who in [
        ("Kickoff call", world.csm),
        ("Share your goals", world.champion),
        ("Internal handover", world.csm),
        ("Optional training", world.champion),
    ]:
        set_task_done(Task.objects.get(title=title), True, acting_user=who)
    return checklist


def test_every_surface_prints_the_same_percentage(world: World, checklist: Checklist) -> None:
    expected = summary(checklist).progress
    assert (expected.done, expected.total, expected.percent) == (2, 3, 67)
    printed: dict[str, list[str]] = {}
    bars: dict[str, list[str]] = {}

    for persona in ["champion", "member", "executive", "csm", "admin"]:
        client = client_for(world.persona(persona))
        page = read(client.get(reverse("onboarding", args=["acme"])).content.decode())
        printed[f"{persona}'s checklist"] = page.percents
        bars[f"{persona}'s checklist"] = [page.bars["Onboarding progress"]]
        if persona == "executive":
            continue  # their home shows objectives, value and reviews, not the checklist
        panel = read(account_page(client, "acme").content.decode())
        printed[f"{persona}'s account page"] = panel.percents
        bars[f"{persona}'s account page"] = [panel.bars["Onboarding progress"]]

    for persona in ["csm", "admin"]:
        html = client_for(world.persona(persona)).get(reverse("onboarding_portfolio")).content
        row = read(portfolio_row(html.decode(), "Acme"))
        printed[f"{persona}'s portfolio"] = row.percents
        bars[f"{persona}'s portfolio"] = [row.bars["Acme progress"]]

    send_reminders(DAY)
    [message] = [m for m in mail.outbox if m.to == [world.member.email]]
    assert isinstance(message, EmailMultiAlternatives) and isinstance(message.body, str)
    email_html, _ = message.alternatives[0]
    assert isinstance(email_html, str)
    printed["reminder e-mail"] = read(email_html).percents
    printed["reminder e-mail, text"] = re.findall(r"Onboarding (\S+) done", message.body)

    assert printed == {surface: ["67%"] for surface in printed}
    assert bars == {surface: ["67"] for surface in bars}


def test_the_counts_beside_the_percentage_agree_too(world: World, checklist: Checklist) -> None:
    for persona in ["champion", "csm"]:
        client = client_for(world.persona(persona))
        page = client.get(reverse("onboarding", args=["acme"])).content.decode()
        assert "2 of 3 required tasks done" in page
        panel = account_page(client, "acme").content.decode()
        assert "2 of 3 required tasks done" in panel
    csm_page = client_for(world.csm).get(reverse("onboarding", args=["acme"])).content.decode()
    assert "1 of 1 internal task done" in csm_page  # apart, for the vendor only


def test_with_no_required_task_every_surface_says_no_data(world: World) -> None:
    checklist = start(world, DAY - timedelta(days=5))
    Task.objects.update(required=False)
    assert summary(checklist).progress.percent is None
    for persona in ["champion", "csm"]:
        client = client_for(world.persona(persona))
        page = read(client.get(reverse("onboarding", args=["acme"])).content.decode())
        panel = read(account_page(client, "acme").content.decode())
        assert page.percents == panel.percents == ["no data"]
        assert "Onboarding progress" not in page.bars  # no bar pretending to be 0% or 100%
    html = client_for(world.csm).get(reverse("onboarding_portfolio")).content.decode()
    assert read(portfolio_row(html, "Acme")).percents == ["no data"]
