"""Factories for the documents app, small real files of each kind, a scanner script, and the
documents rows of the URL x role access matrix (tests/test_access_matrix.py)::

    EXPECTED.update(DOCUMENTS_EXPECTED)
    # in matrix_world:   ctx["documents"] = make_documents_world(world)
    # in url_and_data:   **documents_url_args(ctx["documents"], slug, ctx["task"]),
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Account, User
from documents.models import Document, Folder, Visibility
from tests.conftest import World
from tests.factories import AccountFactory, CSMFactory

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
ACCOUNT_READ = [L, 200, 200, 200, 404, 200, 404, 200]
VENDOR_ONLY_READ = [L, 404, 404, 404, 404, 200, 404, 200]  # internal files: as if not there
UPLOAD_WRITE = [L, 302, 403, 403, 404, 302, 404, 302]
ATTACH_WRITE = [L, 302, 403, 302, 404, 302, 404, 302]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
POST_ONLY = [405] * 8

DOCUMENTS_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "documents": (ACCOUNT_READ, None),
    "documents_folder": (ACCOUNT_READ, None),
    "documents_upload": (POST_ONLY, UPLOAD_WRITE),
    "documents_attach": (POST_ONLY, ATTACH_WRITE),
    "documents_folder_add": (POST_ONLY, UPLOAD_WRITE),
    "documents_folder_rename": (POST_ONLY, VENDOR_WRITE),
    "documents_folder_delete": (POST_ONLY, VENDOR_WRITE),
    # The champion's own upload: theirs and the vendor's to change; the executive and the
    # member read it.
    "documents_document": (ACCOUNT_READ, UPLOAD_WRITE),
    "documents_document#internal": (VENDOR_ONLY_READ, None),
    "documents_download": (ACCOUNT_READ, None),
    "documents_download#internal": (VENDOR_ONLY_READ, None),
    "documents_delete": (POST_ONLY, UPLOAD_WRITE),
}
# A download writes to the activity log.
DOCUMENTS_GETS_THAT_WRITE = ("documents_download", "documents_download#internal")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
# The EICAR anti-virus test file: harmless, and every scanner reports it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def pdf_upload(name: str = "contract.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def scanner(tmp_path: Path) -> str:
    """A real scanner command: a script that reads the file on its standard input and exits 1
    when it holds the EICAR test string (as clamdscan does for a virus), 0 otherwise."""
    script = tmp_path / "scan.py"
    script.write_text(
        "import sys\n"
        "data = sys.stdin.buffer.read()\n"
        "sys.exit(1 if b'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' in data else 0)\n"
    )
    import sys

    return f"{sys.executable} {script}"


class FolderFactory(factory.django.DjangoModelFactory[Folder]):
    class Meta:
        model = Folder

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Folder {n}")
    created_by = factory.SubFactory(CSMFactory)


class DocumentFactory(factory.django.DjangoModelFactory[Document]):
    class Meta:
        model = Document

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"document-{n}.pdf")
    size = len(PDF)
    content_type = "application/pdf"
    visibility = Visibility.SHARED
    uploaded_by = factory.SubFactory(CSMFactory)
    uploaded_at = factory.LazyFunction(timezone.now)
    file = factory.LazyAttribute(lambda o: SimpleUploadedFile(o.name, PDF, "application/pdf"))


def make_documents(account: Account, count: int, *, by: User, folder: Folder | None = None) -> None:
    """``count`` documents in one insert (the files share one stored PDF): for the query
    counts with many documents."""
    stored = DocumentFactory.create(account=account, uploaded_by=by, folder=folder)
    now = timezone.now()
    Document.objects.bulk_create(
        Document(
            account=account,
            folder=folder,
            file=stored.file.name,
            name=f"report-{i}.pdf",
            size=stored.size,
            content_type=stored.content_type,
            visibility=Visibility.INTERNAL if i % 5 == 0 else Visibility.SHARED,
            uploaded_by=by,
            uploaded_at=now,
        )
        for i in range(count - 1)
    )


def make_documents_world(world: World) -> dict[str, Any]:
    contracts = FolderFactory.create(account=world.account, name="Contracts", created_by=world.csm)
    empty = FolderFactory.create(account=world.account, name="Empty", created_by=world.csm)
    shared = DocumentFactory.create(
        account=world.account, folder=contracts, uploaded_by=world.champion, name="contract.pdf"
    )
    internal = DocumentFactory.create(
        account=world.account,
        uploaded_by=world.csm,
        name="renewal-notes.pdf",
        visibility=Visibility.INTERNAL,
    )
    return {"contracts": contracts, "empty": empty, "shared": shared, "internal": internal}


def documents_url_args(ctx: dict[str, Any], slug: str, task: Any) -> dict[str, Any]:
    shared, internal = ctx["shared"], ctx["internal"]
    return {
        "documents_folder": ([slug, ctx["contracts"].pk], {}),
        "documents_upload": ([slug], {"file": pdf_upload("plan.pdf"), "visibility": "shared"}),
        "documents_attach": ([slug], {"file": pdf_upload("export.pdf"), "kind": "task", "target": task.pk}),
        "documents_folder_add": ([slug], {"name": "Security"}),
        "documents_folder_rename": ([slug, ctx["contracts"].pk], {"name": "Agreements"}),
        "documents_folder_delete": ([slug, ctx["empty"].pk], {}),
        "documents_document": ([slug, shared.pk], {"name": "signed contract", "folder": "", "visibility": "shared"}),
        "documents_document#internal": ([slug, internal.pk], {}),
        "documents_download": ([slug, shared.pk], {}),
        "documents_download#internal": ([slug, internal.pk], {}),
        "documents_delete": ([slug, shared.pk], {}),
    }  # fmt: skip
