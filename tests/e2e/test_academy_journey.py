"""The academy in the browser: a member finds the course assigned to them, reads the lessons,
passes the quiz on the second try and downloads the certificate; axe is clean on each page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from academy.models import CoursePass
from academy.services import assign_course
from tests.academy_helpers import LessonFileFactory, make_course
from tests.conftest import World
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD


@pytest.fixture
def academy_world(world: World, settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    course = make_course(world.csm, title="Getting started")
    first = course.lessons.get(position=0)
    attached = LessonFileFactory.create(lesson=first, name="layout.png", uploaded_by=world.csm)
    first.body = f"Read the diagram.\n\n![The layout](attachment:{attached.name})"
    first.save()
    assign_course(course, world.account, role="member", acting_user=world.csm)
    return world


def test_a_member_passes_a_course_and_downloads_the_certificate(
    page: Page, live_server: LiveServer, academy_world: World, tmp_path: Path
) -> None:
    world = academy_world
    world.member.name = "Mina Member"
    world.member.save()
    login(page, live_server, world.member.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Academy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Academy")
    assigned = page.get_by_role("region", name=re.compile("^Assigned to you"))
    expect(assigned.get_by_role("link", name="Getting started")).to_be_visible()
    assert_accessible(page)

    assigned.get_by_role("link", name="Getting started").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Getting started")
    assert_accessible(page)
    page.get_by_role("link", name="Start the course").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lesson 1")
    image = page.get_by_role("img", name="The layout")
    expect(image).to_be_visible()
    # Loaded (not a broken image): served through the tenancy rule's download view.
    page.wait_for_function(
        "() => { const img = document.querySelector('.lesson-body img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lesson 2")
    page.get_by_role("button", name="Mark as done").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz")
    assert_accessible(page)
    # First try: the first question wrong, the second only half right: 0 of 2.
    page.get_by_role("group", name=re.compile("Where do you invite")).get_by_label(
        "Billing"
    ).check()
    page.get_by_role("group", name=re.compile("Which can be scheduled")).get_by_label(
        "Usage"
    ).check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Not passed: 0%")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("group", name=re.compile("Where do you invite")).get_by_label(
        "People page"
    ).check()
    scheduled = page.get_by_role("group", name=re.compile("Which can be scheduled"))
    scheduled.get_by_label("Usage").check()
    scheduled.get_by_label("Revenue").check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Passed: 100%")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download your certificate").click()
    download = downloading.value
    assert download.suggested_filename.startswith("certificate-getting-started")
    saved = tmp_path / "certificate.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    assert CoursePass.objects.filter(user=world.member, account=world.account).exists()

    page.goto(f"{live_server.url}/a/acme/academy/")
    expect(page.get_by_text(re.compile(r"^Passed \d+ \w+ 2026$"))).to_be_visible()
