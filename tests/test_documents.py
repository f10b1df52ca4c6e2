"""Documents: the area, uploads and their checks (size, type, the virus scan with a real
command), downloads through the tenancy rule, files on tasks, plan items and comments, and the
"upload required" onboarding task."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from accounts.models import Activity
from documents.models import Document, Folder, Visibility
from onboarding.models import Task, TaskComment, TaskKind, TemplateTask
from onboarding.services import start_onboarding
from successplans.models import ActionItem, PlanComment
from tests.conftest import World, client_for
from tests.documents_helpers import (
    EICAR,
    PDF,
    PNG,
    DocumentFactory,
    FolderFactory,
    docx,
    make_documents,
    pdf_upload,
    scanner,
)
from tests.onboarding_helpers import make_template
from tests.onboarding_helpers import start as start_checklist
from tests.plan_helpers import make_plan
from tests.queries import assert_same_queries, page_queries

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings: Any, tmp_path: Path, time_machine: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    time_machine.move_to(datetime(2026, 11, 16, 12, tzinfo=UTC))


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "documents"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload_task(world: World) -> Task:
    checklist = start_checklist(world)
    task = checklist.tasks.get(title="Share your goals")  # the champion's
    Task.objects.filter(pk=task.pk).update(kind=TaskKind.UPLOAD)
    task.refresh_from_db()
    return task


# The documents area --------------------------------------------------------------------------


def test_the_champion_uploads_a_shared_file_that_lands_in_storage(
    world: World, settings: Any
) -> None:
    response = client_for(world.champion).post(
        "/a/acme/documents/upload/", {"file": pdf_upload("kickoff deck.pdf")}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.name, document.visibility, document.size) == (
        "kickoff deck.pdf",
        Visibility.SHARED,
        len(PDF),
    )
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == world.champion
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    assert Activity.objects.filter(verb="uploaded a document", actor=world.champion).exists()


def test_a_customer_cannot_make_an_upload_internal(world: World) -> None:
    client_for(world.champion).post(
        "/a/acme/documents/upload/", {"file": pdf_upload(), "visibility": "internal"}
    )
    assert Document.objects.get().visibility == Visibility.SHARED


def test_customers_never_see_internal_files(world: World) -> None:
    internal = DocumentFactory.create(
        account=world.account, name="renewal-risk.pdf", visibility=Visibility.INTERNAL
    )
    shared = DocumentFactory.create(account=world.account, name="contract.pdf")
    for person in (world.champion, world.executive, world.member):
        client = client_for(person)
        page = client.get("/a/acme/documents/").content.decode()
        assert "contract.pdf" in page and "renewal-risk.pdf" not in page
        assert client.get(f"/a/acme/documents/{internal.pk}/download/").status_code == 404
        response = client.get(f"/a/acme/documents/{shared.pk}/download/")
        assert response.status_code == 200
        assert body(response) == PDF
    page = client_for(world.csm).get("/a/acme/documents/").content.decode()
    assert "renewal-risk.pdf" in page and "Internal" in page


def test_a_download_is_streamed_and_logged(world: World) -> None:
    shared = DocumentFactory.create(account=world.account, name="contract.pdf")
    response = client_for(world.executive).get(f"/a/acme/documents/{shared.pk}/download/")
    assert response.status_code == 200
    assert body(response) == PDF
    assert 'filename="contract.pdf"' in response["Content-Disposition"]
    entry = Activity.objects.get(verb="downloaded a document")
    assert (entry.actor, entry.account, entry.target_label) == (
        world.executive,
        world.account,
        "“contract.pdf”",
    )


def test_another_accounts_document_is_a_404(world: World) -> None:
    theirs = DocumentFactory.create(account=world.other_account)
    client = client_for(world.champion)
    assert client.get(f"/a/acme/documents/{theirs.pk}/download/").status_code == 404
    assert client.get(f"/a/acme/documents/{theirs.pk}/").status_code == 404
    assert not Activity.objects.filter(verb="downloaded a document").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "is empty"),
        ("tool.exe", b"MZ\x90\x00", "not a file type the portal keeps"),
        ("photo.pdf", PNG, "does not look like a .pdf file"),
        ("notes.txt", b"\x00\x01\x02binary", "does not look like a .txt file"),
    ],
)
def test_an_empty_disallowed_or_disguised_file_is_refused_and_nothing_saved(
    world: World, settings: Any, name: str, data: bytes, message: str
) -> None:
    response = client_for(world.champion).post(
        "/a/acme/documents/upload/", {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_a_file_over_the_size_limit_is_refused(world: World, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 64
    response = client_for(world.csm).post(
        "/a/acme/documents/upload/", {"file": pdf_upload(data=PDF + b"x" * 100)}
    )
    assert response.status_code == 422
    assert "files may be up to 64" in response.content.decode()
    assert not Document.objects.exists()


def test_an_extension_left_off_the_allow_list_is_refused(world: World, settings: Any) -> None:
    settings.DOCUMENT_ALLOWED_TYPES = ["png"]
    response = client_for(world.csm).post("/a/acme/documents/upload/", {"file": pdf_upload()})
    assert response.status_code == 422
    assert "Allowed: png" in response.content.decode()


def test_office_files_and_images_are_told_apart_by_their_content(world: World) -> None:
    client = client_for(world.csm)
    assert client.post("/a/acme/documents/upload/", {"file": SimpleUploadedFile("plan.docx", docx())}).status_code == 302  # fmt: skip
    assert client.post("/a/acme/documents/upload/", {"file": SimpleUploadedFile("logo.png", PNG)}).status_code == 302  # fmt: skip
    # A zip that is not an Office document is not a .xlsx.
    refused = client.post("/a/acme/documents/upload/", {"file": SimpleUploadedFile("sheet.xlsx", docx())})  # fmt: skip
    assert refused.status_code == 422
    assert sorted(Document.objects.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
    ]


def test_the_virus_scan_refuses_the_eicar_file_and_keeps_a_clean_one(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.DOCUMENT_SCAN_COMMAND = scanner(tmp_path)
    client = client_for(world.champion)
    refused = client.post(
        "/a/acme/documents/upload/", {"file": SimpleUploadedFile("eicar.txt", EICAR)}
    )
    assert refused.status_code == 422
    assert "refused by the virus scan" in refused.content.decode()
    assert not Document.objects.exists()
    assert stored_files(settings) == []
    kept = client.post(
        "/a/acme/documents/upload/", {"file": SimpleUploadedFile("notes.txt", b"All clean.")}
    )
    assert kept.status_code == 302
    assert Document.objects.get().name == "notes.txt"


def test_a_large_upload_on_disk_is_scanned_from_its_file(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.DOCUMENT_SCAN_COMMAND = scanner(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # every upload goes to a temporary file
    big = b"line of text\n" * 1000 + EICAR
    response = client_for(world.csm).post(
        "/a/acme/documents/upload/", {"file": SimpleUploadedFile("log.txt", big)}
    )
    assert response.status_code == 422
    assert not Document.objects.exists()


def test_a_scanner_that_cannot_run_refuses_the_upload(world: World, settings: Any) -> None:
    settings.DOCUMENT_SCAN_COMMAND = "/nonexistent/clamdscan --no-summary -"
    response = client_for(world.csm).post("/a/acme/documents/upload/", {"file": pdf_upload()})
    assert response.status_code == 422
    assert "could not be checked for viruses" in response.content.decode()
    assert not Document.objects.exists()


def test_a_refused_attachment_over_htmx_is_a_422_in_the_notice(world: World) -> None:
    task = start_checklist(world).tasks.get(title="Share your goals")
    response = client_for(world.champion).post(
        "/a/acme/documents/attach/",
        {"file": SimpleUploadedFile("x.exe", b"MZ"), "kind": "task", "target": task.pk},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#notice"
    assert "not a file type" in response.content.decode()
    assert not Document.objects.exists()


# Folders and changes -------------------------------------------------------------------------


def test_folders_nest_and_list_their_files(world: World) -> None:
    client = client_for(world.csm)
    assert client.post("/a/acme/documents/folders/add/", {"name": "Contracts"}).status_code == 302
    contracts = Folder.objects.get(name="Contracts")
    client.post("/a/acme/documents/folders/add/", {"name": "2026", "parent": contracts.pk})
    year = Folder.objects.get(name="2026")
    assert year.parent == contracts
    client.post("/a/acme/documents/upload/", {"file": pdf_upload("msa.pdf"), "folder": year.pk})
    assert Document.objects.get().folder == year
    page = client.get(f"/a/acme/documents/folders/{year.pk}/").content.decode()
    assert "msa.pdf" in page and "Contracts" in page  # the file and the path to it
    # The top level lists every file, with the folder it is in.
    top = client.get("/a/acme/documents/").content.decode()
    assert "msa.pdf" in top and f'href="/a/acme/documents/folders/{year.pk}/">2026</a>' in top
    other = client.get(f"/a/acme/documents/folders/{contracts.pk}/").content.decode()
    assert "msa.pdf" not in other


def test_a_duplicate_folder_name_is_refused(world: World) -> None:
    FolderFactory.create(account=world.account, name="Contracts")
    response = client_for(world.champion).post(
        "/a/acme/documents/folders/add/", {"name": "contracts"}
    )
    assert response.status_code == 422
    assert "already a folder called" in response.content.decode()
    assert Folder.objects.count() == 1


def test_a_folder_with_files_is_not_deleted(world: World) -> None:
    folder = FolderFactory.create(account=world.account, name="Contracts")
    DocumentFactory.create(account=world.account, folder=folder)
    response = client_for(world.csm).post(f"/a/acme/documents/folders/{folder.pk}/delete/")
    assert response.status_code == 422
    assert "not empty" in response.content.decode()
    assert Folder.objects.filter(pk=folder.pk).exists()


def test_the_vendor_renames_moves_and_hides_a_document_keeping_its_extension(
    world: World,
) -> None:
    folder = FolderFactory.create(account=world.account, name="Archive")
    document = DocumentFactory.create(account=world.account, name="contract.pdf")
    response = client_for(world.csm).post(
        f"/a/acme/documents/{document.pk}/",
        {"name": "Signed contract", "folder": folder.pk, "visibility": "internal"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.name, document.folder, document.visibility) == (
        "Signed contract.pdf",
        folder,
        Visibility.INTERNAL,
    )
    assert Activity.objects.filter(verb="changed a document").exists()


def test_a_champion_changes_their_own_uploads_only(world: World) -> None:
    theirs = DocumentFactory.create(account=world.account, uploaded_by=world.csm, name="sow.pdf")
    own = DocumentFactory.create(account=world.account, uploaded_by=world.champion)
    client = client_for(world.champion)
    assert client.post(f"/a/acme/documents/{theirs.pk}/delete/").status_code == 403
    assert client.post(f"/a/acme/documents/{theirs.pk}/", {"name": "mine"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.name == "sow.pdf"
    assert client.post(f"/a/acme/documents/{own.pk}/delete/").status_code == 302
    assert list(Document.objects.all()) == [theirs]


def test_a_deleted_documents_file_leaves_storage_after_commit(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.csm)
    client.post("/a/acme/documents/upload/", {"file": pdf_upload()})
    document = Document.objects.get()
    assert len(stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/a/acme/documents/{document.pk}/delete/")
    assert stored_files(settings) == []


def test_a_document_is_attached_to_one_thing_at_most(world: World) -> None:
    checklist = start_checklist(world)
    task = checklist.tasks.first()
    assert task is not None
    comment = TaskComment.objects.create(task=task, author=world.csm, body="Here.")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFactory.create(account=world.account, task=task, task_comment=comment)


# Files on tasks, plan items and comments ----------------------------------------------------


def test_a_member_attaches_to_the_task_assigned_to_them_and_not_to_others(world: World) -> None:
    checklist = start_checklist(world)
    theirs = checklist.tasks.get(title="Connect your data")  # assigned to the member
    other = checklist.tasks.get(title="Share your goals")
    client = client_for(world.member)
    ok = client.post(
        "/a/acme/documents/attach/",
        {"file": pdf_upload("export.pdf"), "kind": "task", "target": theirs.pk},
    )
    assert ok.status_code == 302 and ok["Location"] == theirs.get_absolute_url()
    refused = client.post(
        "/a/acme/documents/attach/",
        {"file": pdf_upload("other.pdf"), "kind": "task", "target": other.pk},
    )
    assert refused.status_code == 403
    assert list(Document.objects.values_list("name", "task")) == [("export.pdf", theirs.pk)]
    page = client.get(theirs.get_absolute_url()).content.decode()
    assert "export.pdf" in page


def test_a_customer_cannot_reach_an_internal_task_or_another_accounts(world: World) -> None:
    checklist = start_checklist(world)
    internal = checklist.tasks.get(title="Internal handover")
    response = client_for(world.champion).post(
        "/a/acme/documents/attach/",
        {"file": pdf_upload(), "kind": "task", "target": internal.pk},
    )
    assert response.status_code == 404
    assert not Document.objects.exists()


def test_the_vendors_file_on_an_internal_task_is_internal(world: World) -> None:
    internal = start_checklist(world).tasks.get(title="Internal handover")
    client_for(world.csm).post(
        "/a/acme/documents/attach/",
        {"file": pdf_upload(), "kind": "task", "target": internal.pk, "visibility": "shared"},
    )
    assert Document.objects.get().visibility == Visibility.INTERNAL


def test_comment_files_show_under_their_comment(world: World) -> None:
    task = start_checklist(world).tasks.get(title="Share your goals")
    comment = TaskComment.objects.create(task=task, author=world.champion, body="Goals attached")
    client = client_for(world.champion)
    client.post(
        "/a/acme/documents/attach/",
        {"file": pdf_upload("goals.pdf"), "kind": "task_comment", "target": comment.pk},
    )
    assert Document.objects.get().task_comment == comment
    page = client.get(task.get_absolute_url()).content.decode()
    assert "goals.pdf" in page
    # Someone else's comment takes no file from the member.
    assert (
        client_for(world.member)
        .post(
            "/a/acme/documents/attach/",
            {"file": pdf_upload("x.pdf"), "kind": "task_comment", "target": comment.pk},
        )
        .status_code
        == 403
    )


def test_files_on_plan_items_and_plan_comments(world: World) -> None:
    plan = make_plan(world)
    action = plan.actions.get(title="Share finance workflows")  # the member's
    comment = PlanComment.objects.create(plan=plan, author=world.champion, body="See the file")
    member, champion = client_for(world.member), client_for(world.champion)
    assert member.post("/a/acme/documents/attach/", {"file": pdf_upload("flows.pdf"), "kind": "action_item", "target": action.pk}).status_code == 302  # fmt: skip
    assert champion.post("/a/acme/documents/attach/", {"file": pdf_upload("note.pdf"), "kind": "plan_comment", "target": comment.pk}).status_code == 302  # fmt: skip
    assert Document.objects.get(name="flows.pdf").action_item == action
    assert Document.objects.get(name="note.pdf").plan_comment == comment
    actions = champion.get(f"{plan.get_absolute_url()}actions/").content.decode()
    discussion = champion.get(f"{plan.get_absolute_url()}discussion/").content.decode()
    assert "flows.pdf" in actions and "note.pdf" in discussion
    assert isinstance(action, ActionItem)


def test_the_task_page_lists_attachments_in_constant_queries(world: World) -> None:
    task = start_checklist(world).tasks.get(title="Share your goals")
    client = client_for(world.champion)
    for i in range(2):
        comment = TaskComment.objects.create(task=task, author=world.champion, body=f"c{i}")
        DocumentFactory.create(account=world.account, task_comment=comment)
    before = page_queries(client, task.get_absolute_url())
    for i in range(20):
        comment = TaskComment.objects.create(task=task, author=world.champion, body=f"d{i}")
        DocumentFactory.create(account=world.account, task_comment=comment)
        DocumentFactory.create(account=world.account, task=task)
    assert_same_queries(before, page_queries(client, task.get_absolute_url()), "task page")


# The "upload required" task -----------------------------------------------------------------


def test_the_champions_upload_completes_an_upload_required_task(world: World) -> None:
    task = upload_task(world)
    client = client_for(world.champion)
    page = client.get(task.get_absolute_url()).content.decode()
    assert "Upload the file this task asks for" in page
    assert "Mark as done" not in page  # it completes by the upload, not by hand
    response = client.post(
        "/a/acme/documents/attach/",
        {"file": pdf_upload("goals.pdf"), "kind": "task", "target": task.pk},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.is_done and task.completed_by == world.champion
    assert Activity.objects.filter(verb="completed a task", actor=world.champion).exists()
    assert Document.objects.get().task == task


def test_a_customer_cannot_tick_an_upload_task_by_hand(world: World) -> None:
    task = upload_task(world)
    response = client_for(world.champion).post(
        f"/a/acme/onboarding/tasks/{task.pk}/done/", {"done": "1"}
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert not task.is_done


def test_the_vendors_upload_does_not_complete_the_customers_task(world: World) -> None:
    task = upload_task(world)
    client_for(world.csm).post(
        "/a/acme/documents/attach/", {"file": pdf_upload(), "kind": "task", "target": task.pk}
    )
    task.refresh_from_db()
    assert not task.is_done


def test_a_refused_upload_leaves_the_task_open(world: World) -> None:
    task = upload_task(world)
    client_for(world.champion).post(
        "/a/acme/documents/attach/",
        {"file": SimpleUploadedFile("goals.pdf", b""), "kind": "task", "target": task.pk},
    )
    task.refresh_from_db()
    assert not task.is_done and not Document.objects.exists()


def test_a_template_task_of_the_upload_kind_starts_as_one(world: World) -> None:
    template = make_template(world.csm)
    phase = template.phases.get(name="Kickoff")
    response = client_for(world.csm).post(
        f"/console/templates/{template.pk}/phases/{phase.pk}/tasks/add/",
        {
            "title": "Upload your security questionnaire",
            "owner_side": "customer",
            "kind": "upload",
            "default_role": "champion",
            "due_offset_days": "5",
            "required": "on",
        },
    )
    assert response.status_code in (200, 302), response.content.decode()[:500]
    added = TemplateTask.objects.get(title="Upload your security questionnaire")
    assert added.kind == TaskKind.UPLOAD
    checklist = start_onboarding(
        world.account,
        template=template,
        kickoff_date=date(2026, 11, 1),
        acting_user=world.csm,
    )
    assert checklist.tasks.get(title=added.title).kind == TaskKind.UPLOAD


def test_an_upload_task_on_the_vendors_side_is_refused_in_the_template(world: World) -> None:
    template = make_template(world.csm)
    phase = template.phases.get(name="Kickoff")
    response = client_for(world.csm).post(
        f"/console/templates/{template.pk}/phases/{phase.pk}/tasks/add/",
        {"title": "Upload", "owner_side": "vendor", "kind": "upload", "due_offset_days": "1"},
    )
    assert response.status_code == 422
    assert "An upload task is the customer" in response.content.decode()
    assert not TemplateTask.objects.filter(title="Upload").exists()


# The panel, the page's queries, and the apps' order ------------------------------------------


def test_the_panel_shows_recent_files_the_viewer_may_see(world: World) -> None:
    DocumentFactory.create(account=world.account, name="contract.pdf")
    DocumentFactory.create(
        account=world.account, name="risk-notes.pdf", visibility=Visibility.INTERNAL
    )
    champion = client_for(world.champion).get("/a/acme/panels/documents/").content.decode()
    assert "contract.pdf" in champion and "risk-notes.pdf" not in champion
    csm = client_for(world.csm).get("/a/acme/panels/documents/").content.decode()
    assert "risk-notes.pdf" in csm


@pytest.mark.parametrize("persona", ["champion", "csm"])
def test_the_documents_area_runs_the_same_queries_with_10_and_1000_files(
    world: World, persona: str
) -> None:
    folder = FolderFactory.create(account=world.account, name="Reports")
    make_documents(world.account, 10, by=world.csm)
    make_documents(world.account, 10, by=world.csm, folder=folder)
    client = client_for(getattr(world, persona))
    before = page_queries(client, "/a/acme/documents/")
    before_folder = page_queries(client, f"/a/acme/documents/folders/{folder.pk}/")
    make_documents(world.account, 990, by=world.csm)
    make_documents(world.account, 990, by=world.csm, folder=folder)
    assert_same_queries(before, page_queries(client, "/a/acme/documents/"), "area")
    assert_same_queries(
        before_folder, page_queries(client, f"/a/acme/documents/folders/{folder.pk}/"), "folder"
    )


def test_onboarding_and_plans_never_import_documents() -> None:
    for app in ("onboarding", "successplans", "accounts", "portal"):
        for path in (ROOT / app).rglob("*.py"):
            if "management" in path.parts:  # load_demo calls every app's demo, by design
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                assert not any(n.split(".")[0] == "documents" for n in names), path


@pytest.mark.parametrize(("persona", "total"), [("champion", 28), ("csm", 30)])
def test_the_documents_area_pages_its_files_newest_first_and_counts_what_the_viewer_sees(
    world: World, persona: str, total: int
) -> None:
    reports = FolderFactory.create(account=world.account, name="Reports")
    FolderFactory.create(account=world.account, name="Archive")
    for i in range(30):
        DocumentFactory.create(
            account=world.account,
            folder=reports if i % 2 else None,
            name=f"file-{i:02}.pdf",
            visibility=Visibility.INTERNAL if i in (3, 7) else Visibility.SHARED,
            uploaded_by=world.csm,
            uploaded_at=datetime(2026, 3, 1, tzinfo=UTC).replace(minute=i),
        )
    client = client_for(getattr(world, persona))
    seen = [f"file-{i:02}.pdf" for i in reversed(range(30)) if persona == "csm" or i not in (3, 7)]

    def files(html: str) -> list[str]:
        return [name for name in seen if f">{name}</a>" in html]

    first = client.get("/a/acme/documents/").content.decode()
    assert f'<span class="count">{total}</span>' in first
    assert files(first) == seen[:25] and first.index(seen[0]) < first.index(seen[24])
    assert f"{'15' if persona == 'csm' else '13'} files" in first  # Reports, as the viewer sees it
    assert "0 files" in first  # Archive
    assert 'in <a class="muted"' in first
    second = client.get("/a/acme/documents/?page=2").content.decode()
    assert files(second) == seen[25:]
    past_the_end = client.get("/a/acme/documents/?page=9").content.decode()
    assert files(past_the_end) == seen[25:]
    assert client.get("/a/acme/documents/?page=x").status_code == 404
    folder = client.get(f"/a/acme/documents/folders/{reports.pk}/").content.decode()
    assert files(folder) == [name for name in seen if int(name[5:7]) % 2]
    assert 'in <a class="muted"' not in folder
