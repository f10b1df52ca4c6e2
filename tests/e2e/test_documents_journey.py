"""Documents in the browser: the champion opens the "upload required" task on the onboarding
checklist, uploads the file it asks for and the task completes; the file is then in the
documents area. axe is clean on the task and the documents area."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from documents.models import Document
from onboarding.models import Task, TaskKind
from tests.conftest import World
from tests.documents_helpers import PDF, FolderFactory
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD
from tests.onboarding_helpers import start


@pytest.fixture
def upload_world(world: World, settings: Any, tmp_path: Path) -> Task:
    settings.MEDIA_ROOT = tmp_path / "media"
    checklist = start(world)
    task = checklist.tasks.get(title="Share your goals")  # the champion's, in Kickoff
    Task.objects.filter(pk=task.pk).update(
        kind=TaskKind.UPLOAD,
        title="Upload your security questionnaire",
        description="The signed PDF from your IT lead.",
    )
    FolderFactory.create(account=world.account, name="Contracts", created_by=world.csm)
    return task


def test_a_champion_uploads_the_file_a_task_asks_for_and_the_task_completes(
    page: Page, live_server: LiveServer, world: World, upload_world: Task, tmp_path: Path
) -> None:
    questionnaire = tmp_path / "questionnaire.pdf"
    questionnaire.write_bytes(PDF)
    login(page, live_server, world.champion.email, PASSWORD)
    page.goto(f"{live_server.url}/a/acme/onboarding/")
    page.get_by_role("link", name="Upload your security questionnaire").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload your security questionnaire")
    expect(page.get_by_text("Upload the file this task asks for")).to_be_visible()
    expect(page.get_by_role("button", name="Mark as done")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Choose the file").set_input_files(str(questionnaire))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("The file was uploaded: this task is done.")).to_be_visible()
    expect(page.get_by_text("Done", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="questionnaire.pdf")).to_be_visible()
    assert_accessible(page)
    upload_world.refresh_from_db()
    assert upload_world.is_done and upload_world.completed_by == world.champion
    assert Document.objects.get().task == upload_world

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    expect(page.get_by_role("link", name="questionnaire.pdf", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Contracts"))).to_be_visible()
    assert_accessible(page)
