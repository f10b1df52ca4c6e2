"""Demo documents for Acme: folders (contracts, onboarding, security), a shared contract PDF,
an onboarding plan and an integration sheet the champion uploaded, the CSM's internal renewal
note, and an "upload required" task on Acme's onboarding checklist. Idempotent."""

from __future__ import annotations

import io
import uuid

from accounts.models import Account, User
from onboarding import services as onboarding
from onboarding.models import Side, TaskKind

from .models import Folder, Visibility
from .services import create_folder, upload_document

UPLOAD_TASK = "Upload your signed security questionnaire"


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and a few lines of text (Helvetica, no other resource)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = [f"BT /F1 20 Tf 72 760 Td ({escape(title)}) Tj ET"]
    for i, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 72 {720 - 18 * i} Td ({escape(line)}) Tj ET")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


CONTRACT = simple_pdf(
    "Master Services Agreement",
    [
        "Between Northwind Software and Acme Logistics.",
        "Term: 1 January 2026 to 31 December 2027, renewing yearly.",
        "Services: the Northwind reporting platform, 40 seats, premium support.",
        "Signed for Acme Logistics by Dana Acme, for Northwind by Priya Patel.",
    ],
)
DPA = simple_pdf(
    "Data Processing Addendum",
    ["Annex to the Master Services Agreement.", "Sub-processors and EU data residency."],
)
ONBOARDING_PLAN = b"""# Acme onboarding plan

- Week 1: kickoff, goals shared, admins invited
- Week 2: data warehouse connected, first dashboard
- Week 4: month-end exports scheduled, board pack rehearsed
"""
INTEGRATIONS = b"""system,owner,status
Snowflake warehouse,Mia,connected
NetSuite,Dana,in progress
Slack alerts,Mia,planned
"""
RENEWAL_NOTE = b"""Renewal planning (internal)

Acme renews on 31 December 2027. Expansion to the EU team (12 seats) likely in Q3.
Risk: the finance lead who sponsored the purchase is leaving in spring.
"""


def _upload(
    account: Account,
    user: User,
    name: str,
    data: bytes,
    *,
    folder: Folder | None,
    visibility: str = Visibility.SHARED,
    as_customer: bool = False,
) -> None:
    upload_document(
        account,
        upload=io.BytesIO(data),
        filename=name,
        size=len(data),
        visibility=visibility,
        folder=folder,
        as_customer=as_customer,
        acting_user=user,
    )


def ensure_demo_documents() -> int:
    account = Account.objects.filter(slug="acme").select_related("owner").first()
    if account is None or account.owner is None or account.folders.exists():
        return 0
    csm = account.owner
    dana = User.objects.filter(email="dana@acme.example").first() or csm
    contracts = create_folder(account, name="Contracts", acting_user=csm)
    onboarding_folder = create_folder(account, name="Onboarding", acting_user=csm)
    create_folder(account, name="Security & compliance", acting_user=csm)
    _upload(account, csm, "Acme - Master Services Agreement.pdf", CONTRACT, folder=contracts)
    _upload(account, csm, "Data Processing Addendum.pdf", DPA, folder=contracts)
    _upload(account, dana, "Onboarding plan.md", ONBOARDING_PLAN, folder=onboarding_folder, as_customer=True)  # fmt: skip
    _upload(account, dana, "Integrations.csv", INTEGRATIONS, folder=onboarding_folder, as_customer=True)  # fmt: skip
    _upload(account, csm, "Renewal planning - internal.txt", RENEWAL_NOTE, folder=None, visibility=Visibility.INTERNAL)  # fmt: skip
    checklist = getattr(account, "checklist", None)
    if checklist is not None:
        phase = checklist.phases.order_by("position").first()
        if phase is not None and not checklist.tasks.filter(title=UPLOAD_TASK).exists():
            onboarding.add_task(
                checklist,
                fields={
                    "phase": phase,
                    "title": UPLOAD_TASK,
                    "description": "Our security team needs the questionnaire signed by your "
                    "IT lead before we connect production data. Upload the signed PDF here: "
                    "the task completes as soon as it is uploaded.",
                    "owner_side": Side.CUSTOMER,
                    "assignee": dana if dana != csm else None,
                    "kind": TaskKind.UPLOAD,
                },
                client_token=uuid.uuid4(),
                acting_user=csm,
            )
    return 1
