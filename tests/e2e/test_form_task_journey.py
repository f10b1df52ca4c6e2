"""A form task in the browser: the champion answers Acme's kick-off questionnaire (a wrong date
first, refused in place with what was typed kept), the task completes, and the CSM reads the
answers; axe is clean on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onboarding.models import FormAnswer, Task
from tests.conftest import World
from tests.e2e.conftest import BROWSER_ERRORS
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD
from tests.forms_factories import add_form_task
from tests.onboarding_helpers import start


def test_a_champion_answers_a_form_task_and_the_csm_reads_the_answers(
    page: Page, live_server: LiveServer, world: World, request: pytest.FixtureRequest
) -> None:
    task = add_form_task(start(world), assignee=world.champion)
    url = f"{live_server.url}{task.get_absolute_url()}"

    login(page, live_server, world.champion.email, PASSWORD)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kick-off questionnaire")
    form = page.get_by_role("region", name="Your answers")
    expect(form.get_by_text("0 of 3 required answered")).to_be_visible()
    assert_accessible(page)

    form.get_by_label("Main goal").fill("Monthly reporting in one place")
    form.get_by_role("group", name="Team size").get_by_label("11-50").check()
    form.get_by_label("Seats").fill("a lot")  # not a number
    form.get_by_label("Go-live date").fill("2026-04-01")
    form.get_by_role("button", name="Submit answers").click()
    expect(form.get_by_text("Give a number, such as 12 or 4.5.")).to_be_visible()
    expect(form.get_by_label("Main goal")).to_have_value("Monthly reporting in one place")
    assert not FormAnswer.objects.exists()
    # The browser logs the refusal's status as a failed load: the one 422 the journey meant.
    errors = request.node.stash[BROWSER_ERRORS]
    refusals = [e for e in errors if "status of 422" in e]
    assert len(refusals) == 1, errors
    errors.remove(refusals[0])
    assert_accessible(page)

    form.get_by_label("Seats").fill("25")
    form.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Thank you: the task is done.")).to_be_visible()
    expect(page.get_by_text("Done", exact=True)).to_be_visible()
    task.refresh_from_db()
    assert task.is_done and task.completed_by == world.champion
    # Done, the form stays open to correct an answer.
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, live_server, world.csm.email, PASSWORD)
    page.goto(url)
    answers = page.get_by_role("region", name="Answers")
    expect(answers.get_by_text("Monthly reporting in one place")).to_be_visible()
    expect(answers.get_by_text("1 Apr 2026")).to_be_visible()
    expect(answers.get_by_text("3 of 3 required answered")).to_be_visible()
    expect(answers.get_by_role("link", name=re.compile("Download the answers"))).to_be_visible()
    assert Task.objects.get(pk=task.pk).is_done
    assert_accessible(page)
