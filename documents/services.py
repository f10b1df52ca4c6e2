"""Every change to an account's documents: uploads (to the documents area or attached to a
task, a plan item or a comment), downloads (logged), folders, moves, renames and deletes.

Views and the demo call these; each records what it did in the activity log. An upload to an
onboarding task of the "upload required" kind by the customer completes the task through
onboarding's services.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.access import AccountAccess, Role
from accounts.activity import record, snapshot
from accounts.models import Account, User
from onboarding import services as onboarding
from onboarding.models import Task, TaskComment, TaskKind
from successplans import services as plans
from successplans.models import ActionItem, Milestone, Objective, PlanComment

from .models import Document, Folder, Visibility
from .rules import check_upload

# What a file may be attached to, by the name the upload form and the slot use.
TARGET_MODELS: dict[str, type[models.Model]] = {
    "task": Task,
    "task_comment": TaskComment,
    "objective": Objective,
    "milestone": Milestone,
    "action_item": ActionItem,
    "plan_comment": PlanComment,
}
Target = Task | TaskComment | Objective | Milestone | ActionItem | PlanComment


# Who may do what -------------------------------------------------------------------------------


def may_see_internal(access: AccountAccess) -> bool:
    return access.can("documents.view_internal")


def visible_documents(access: AccountAccess) -> models.QuerySet[Document]:
    """The account's documents this viewer may see: customers only what is shared."""
    documents = Document.objects.filter(account=access.account)
    return documents if may_see_internal(access) else documents.shared()


def may_upload(access: AccountAccess) -> bool:
    """Upload to the documents area: the vendor and the champion."""
    return access.can("documents.upload")


def may_change(access: AccountAccess, document: Document, user: User) -> bool:
    """Rename, move or delete a document: the vendor any; a customer their own uploads."""
    if access.can("documents.manage"):
        return True
    return access.can("documents.upload") and document.uploaded_by_id == user.pk


def target_account_id(target: Target) -> int:
    if isinstance(target, Task):
        return target.checklist.account_id
    if isinstance(target, TaskComment):
        return target.task.checklist.account_id
    return target.plan.account_id


def target_internal(target: Target) -> bool:
    if isinstance(target, TaskComment):
        return target.task.internal
    return bool(target.internal)


def may_attach(access: AccountAccess, target: Target, user: User) -> bool:
    """Attach a file to a piece of shared work: the vendor anything; the champion any shared
    task or the plan items they may edit; a member the tasks and action items assigned to them;
    everyone who may attach their own comments; executives read."""
    if not access.can("documents.attach") or target_account_id(target) != access.account.pk:
        return False
    if target_internal(target) and not may_see_internal(access):
        return False
    if access.can("documents.manage"):
        return True
    if isinstance(target, TaskComment | PlanComment):
        return target.author_id == user.pk
    if isinstance(target, Task):
        return access.role == Role.CHAMPION or target.assignee_id == user.pk
    return plans.may_edit(access, target, user)


def is_upload_task(target: Target | None) -> bool:
    return isinstance(target, Task) and target.kind == TaskKind.UPLOAD


# Uploading -------------------------------------------------------------------------------------


@transaction.atomic
def upload_document(
    account: Account,
    *,
    upload: IO[bytes],
    filename: str,
    size: int,
    visibility: str = Visibility.SHARED,
    folder: Folder | None = None,
    attach_to: Target | None = None,
    as_customer: bool,
    acting_user: User,
) -> Document:
    """Keep an uploaded file: checked (size, type, virus scan) before anything is saved.

    A customer's upload is always shared; a file attached to internal work is internal. The
    customer's upload to an "upload required" task completes the task."""
    checked = check_upload(upload, filename, size)
    if folder is not None and folder.account_id != account.pk:
        raise ValidationError({"folder": _("Choose a folder of this account.")})
    if attach_to is not None:
        if target_account_id(attach_to) != account.pk:
            raise ValidationError({"file": _("Attach the file to work of this account.")})
        if target_internal(attach_to):
            visibility = Visibility.INTERNAL
    if as_customer:
        visibility = Visibility.SHARED
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who sees the file.")})
    document = Document(
        account=account,
        folder=folder,
        name=checked.name,
        size=checked.size,
        content_type=checked.content_type,
        visibility=visibility,
        uploaded_by=acting_user,
        uploaded_at=timezone.now(),
    )
    if attach_to is not None:
        setattr(document, _field_for(attach_to), attach_to)
    document.file.save(checked.name, File(upload, name=checked.name), save=False)
    document.save(force_insert=True)
    record(
        gettext_noop("uploaded a document"),
        actor=acting_user,
        account=account,
        target=document,
        after={
            "size": document.size,
            "visibility": document.visibility,
            "attached_to": str(attach_to) if attach_to is not None else "",
        },
        internal=document.is_internal,
    )
    if as_customer and isinstance(attach_to, Task) and is_upload_task(attach_to):
        onboarding.set_task_done(attach_to, True, acting_user=acting_user)
    return document


def _field_for(target: Target) -> str:
    for name, model in TARGET_MODELS.items():
        if isinstance(target, model):
            return name
    raise ValueError(f"Nothing can be attached to {target!r}.")  # pragma: no cover


# Downloading -----------------------------------------------------------------------------------


def record_download(document: Document, *, acting_user: User) -> None:
    """A download is written to the account's activity log: who took which file, when."""
    record(
        gettext_noop("downloaded a document"),
        actor=acting_user,
        account=document.account,
        target=document,
        internal=document.is_internal,
    )


# Changing documents ----------------------------------------------------------------------------


@transaction.atomic
def update_document(
    document: Document,
    *,
    name: str,
    folder: Folder | None,
    visibility: str | None = None,
    acting_user: User,
) -> Document:
    """Rename a document, move it to another folder, and (the vendor) change who sees it.
    The extension stays what was checked on upload."""
    name = name.strip().replace("/", "-")
    if not name:
        raise ValidationError({"name": _("Give the document a name.")})
    if folder is not None and folder.account_id != document.account_id:
        raise ValidationError({"folder": _("Choose a folder of this account.")})
    if visibility is not None and visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who sees the file.")})
    ext = document.name.rpartition(".")[2] if "." in document.name else ""
    if ext and not name.lower().endswith(f".{ext.lower()}"):
        name = f"{name}.{ext}"
    fields = ["name", "folder", "visibility"]
    before = snapshot(document, fields)
    document.name = name[:200]
    document.folder = folder
    if visibility is not None:
        document.visibility = visibility
    after = snapshot(document, fields)
    if after != before:
        document.save(update_fields=fields)
        record(
            gettext_noop("changed a document"),
            actor=acting_user,
            account=document.account,
            target=document,
            before=before,
            after=after,
            internal=document.is_internal or before["visibility"] == Visibility.INTERNAL,
        )
    return document


@transaction.atomic
def delete_document(document: Document, *, acting_user: User) -> None:
    """Delete the row now and the stored file once the deletion has committed (a rolled back
    delete keeps its file)."""
    record(
        gettext_noop("deleted a document"),
        actor=acting_user,
        account=document.account,
        target=document,
        internal=document.is_internal,
    )
    stored = document.file
    storage, name = stored.storage, stored.name
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# Folders ---------------------------------------------------------------------------------------


def _check_folder_name(
    account: Account, name: str, parent: Folder | None, *, pk: Any = None
) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the folder a name.")})
    siblings = Folder.objects.filter(account=account, parent=parent, name__iexact=name)
    if siblings.exclude(pk=pk).exists():
        raise ValidationError(
            {"name": _("There is already a folder called “%(name)s” here.") % {"name": name}}
        )
    return name[:120]


@transaction.atomic
def create_folder(
    account: Account, *, name: str, parent: Folder | None = None, acting_user: User
) -> Folder:
    if parent is not None and parent.account_id != account.pk:
        raise ValidationError({"parent": _("Choose a folder of this account.")})
    name = _check_folder_name(account, name, parent)
    folder = Folder.objects.create(
        account=account, name=name, parent=parent, created_by=acting_user
    )
    record(gettext_noop("created a folder"), actor=acting_user, account=account, target=folder)
    return folder


@transaction.atomic
def rename_folder(folder: Folder, *, name: str, acting_user: User) -> Folder:
    name = _check_folder_name(folder.account, name, folder.parent, pk=folder.pk)
    before = snapshot(folder, ["name"])
    if name != folder.name:
        folder.name = name
        folder.save(update_fields=["name"])
        record(
            gettext_noop("renamed a folder"),
            actor=acting_user,
            account=folder.account,
            target=folder,
            before=before,
            after=snapshot(folder, ["name"]),
        )
    return folder


@transaction.atomic
def delete_folder(folder: Folder, *, acting_user: User) -> None:
    """Delete an empty folder; one with documents or folders in it is refused (nothing is
    deleted by surprise)."""
    if folder.children.exists() or folder.documents.exists():
        raise ValidationError(
            {
                "folder": _("“%(name)s” is not empty: move or delete what is in it first.")
                % {"name": folder.name}
            }
        )
    record(
        gettext_noop("deleted a folder"), actor=acting_user, account=folder.account, target=folder
    )
    folder.delete()


def customer_side(access: AccountAccess) -> bool:
    """Whether the viewer works for the customer (their uploads are shared and complete
    "upload required" tasks)."""
    return access.is_customer
