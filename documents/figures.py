"""What the documents pages show, computed once: a folder's listing, the folder path, the
recent shared files, and the files attached to a piece of work (batched per page)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Window
from django.urls import reverse

from accounts.access import AccountAccess
from accounts.models import Account
from onboarding.models import Task, TaskComment
from successplans.models import ActionItem, Milestone, Objective, PlanComment

from .models import Document, Folder, Visibility
from .rules import extension
from .services import may_see_internal, visible_documents


@dataclass(frozen=True)
class FolderRow:
    folder: Folder
    documents: int


def listing(access: AccountAccess, folder: Folder | None) -> QuerySet[Document]:
    """The documents in ``folder`` that the viewer may see, or every one of them at the top
    level (with the folder each is in), newest first, with who uploaded them (one query per
    page of them)."""
    documents = visible_documents(access)
    if folder is not None:
        documents = documents.filter(folder=folder)
    return documents.select_related("uploaded_by", "account", "folder").order_by(
        "-uploaded_at", "-pk"
    )


def subfolders(access: AccountAccess, folder: Folder | None) -> list[FolderRow]:
    """The folders in ``folder`` with how many documents each holds that the viewer may see."""
    visible = Q() if may_see_internal(access) else Q(documents__visibility="shared")
    folders = (
        Folder.objects.filter(account=access.account, parent=folder)
        .annotate(count=Count("documents", filter=visible))
        .order_by("name", "pk")
    )
    return [FolderRow(folder=f, documents=f.count) for f in folders]


@dataclass(frozen=True)
class AreaPage:
    """A page of the documents area: its subfolders (with what each holds that the viewer may
    see), one page of its files (as :func:`listing` orders them) and how many files it holds."""

    folders: list[FolderRow]
    documents: list[FileRow]
    total: int


# The listing's columns, in the order the area's query selects them.
_DOCUMENT_COLUMNS = {
    "d_pk": "pk",
    "d_name": "name",
    "d_size": "size",
    "d_visibility": "visibility",
    "d_uploaded_at": "uploaded_at",
    "d_folder": "folder_id",
    "d_folder_name": "folder__name",
    "d_by": "uploaded_by_id",
    "d_by_name": "uploaded_by__name",
    "d_by_email": "uploaded_by__email",
}


# The area's query compiled once per shape (database, whether the viewer sees internal files,
# the top level or a folder), as portal.compiled does for the layout: building and compiling the
# querysets costs far more than running them. Stand-in ids (negative, never a real row's) mark
# where the account's and the folder's ids go.
_STANDIN_ACCOUNT = -7_400_000_001
_STANDIN_FOLDER = -7_400_000_002
_Converters = list[tuple[int, list[Any], Any]]
_compiled: dict[tuple[str, bool, bool], tuple[str, tuple[Any, ...], _Converters]] = {}


def area_page(
    access: AccountAccess, folder: Folder | None, offset: int, limit: int, using: str = "default"
) -> AreaPage:
    """:func:`subfolders` and ``limit`` files of :func:`listing` from ``offset`` with their
    count, in one query whatever the number of files: the folders and the page of files side
    by side (``UNION ALL``), each file row carrying the count of them all."""
    key = (using, may_see_internal(access), folder is None)
    entry = _compiled.get(key)
    if entry is None:
        entry = _compiled[key] = _compile(access, folder is not None, using)
    sql, template, converters = entry
    ids = {_STANDIN_ACCOUNT: access.account.pk, _STANDIN_FOLDER: folder.pk if folder else None}
    params = [ids.get(p, p) if isinstance(p, int) else p for p in template]
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, limit, offset))
        rows = cursor.fetchall()
    folder_rows = sorted(
        (FolderRow(folder=Folder(pk=r[1], name=r[2]), documents=r[3]) for r in rows if r[0] == 0),
        key=lambda row: (row.folder.name, row.folder.pk),
    )
    found = []
    for row in rows:
        if row[0] != 1:
            continue
        values = list(row[1:])
        for index, functions, expression in converters:
            for function in functions:
                values[index] = function(values[index], expression, connection)
        found.append(values)
    page = _file_rows(access, found)
    page.sort(key=lambda d: (d.uploaded_at, d.pk), reverse=True)
    return AreaPage(folders=folder_rows, documents=page, total=found[0][-1] if found else 0)


def _compile(
    access: AccountAccess, in_folder: bool, using: str
) -> tuple[str, tuple[Any, ...], _Converters]:
    standin = AccountAccess(
        account=Account(pk=_STANDIN_ACCOUNT), role=access.role, preview=access.preview
    )
    folder = Folder(pk=_STANDIN_FOLDER) if in_folder else None
    visible = Q() if may_see_internal(standin) else Q(documents__visibility="shared")
    folders = (
        Folder.objects.filter(account=standin.account, parent=folder)
        .annotate(f_pk=F("pk"), f_name=F("name"), f_count=Count("documents", filter=visible))
        .values_list("f_pk", "f_name", "f_count")
    )
    documents = (
        listing(standin, folder)
        .annotate(
            **{alias: F(field) for alias, field in _DOCUMENT_COLUMNS.items()},
            d_total=Window(Count("pk")),
        )
        .values_list(*_DOCUMENT_COLUMNS, "d_total")
    )
    folder_sql, folder_params = folders.query.get_compiler(using).as_sql()
    compiler = documents.query.get_compiler(using)
    document_sql, document_params = compiler.as_sql()
    width = len(_DOCUMENT_COLUMNS) + 1
    padding = ", NULL" * (width - 3)
    # Built from the ORM's own SQL for the two querysets; every value is a parameter.
    sql = (
        f"SELECT 0, f.f_pk, f.f_name, f.f_count{padding} FROM ({folder_sql}) f "  # noqa: S608
        f"UNION ALL SELECT 1, d.* FROM ({document_sql} LIMIT %s OFFSET %s) d"
    )
    found = compiler.get_converters([column[0] for column in compiler.select])
    converters = [(index, list(functions), expr) for index, (functions, expr) in found.items()]
    return sql, (*folder_params, *document_params), converters


@dataclass(frozen=True, slots=True)
class FolderRef:
    pk: int
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Uploader:
    display_name: str


@dataclass(frozen=True, slots=True)
class FileRow:
    """A file in the area's listing: what its row shows, without a model instance per row."""

    pk: int
    name: str
    size: int
    visibility: str
    uploaded_at: datetime
    folder: FolderRef | None
    uploaded_by: Uploader
    url: str  # the download
    details_url: str

    @property
    def extension(self) -> str:  # as Document.extension
        return extension(self.name)

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL


# A pk no row has, reversed once per page and replaced by each row's: the rows' links without a
# reverse() each.
_PK = 987_654_321


def _file_rows(access: AccountAccess, rows: list[list[Any]]) -> list[FileRow]:
    slug = access.account.slug
    links = {
        name: reverse(name, args=[slug, _PK]).split(str(_PK))
        for name in ("documents_download", "documents_document", "documents_folder")
    }

    def link(name: str, pk: int) -> str:
        return str(pk).join(links[name])

    found = []
    for row in rows:
        pk, name, size, visibility, uploaded_at, folder_id, folder_name, _, by_name, by_email = row[
            :10
        ]
        folder = (
            FolderRef(pk=folder_id, name=folder_name, url=link("documents_folder", folder_id))
            if folder_id is not None
            else None
        )
        found.append(
            FileRow(
                pk=pk,
                name=name,
                size=size,
                visibility=visibility,
                uploaded_at=uploaded_at,
                folder=folder,
                uploaded_by=Uploader(display_name=by_name or by_email.split("@")[0]),  # as User's
                url=link("documents_download", pk),
                details_url=link("documents_document", pk),
            )
        )
    return found


def folder_path(folder: Folder | None) -> list[Folder]:
    """The folder and its parents, top first (folders are rarely more than a few deep)."""
    path: list[Folder] = []
    seen: set[int] = set()
    while folder is not None and folder.pk not in seen:
        seen.add(folder.pk)
        path.insert(0, folder)
        folder = folder.parent
    return path


def all_folders(access: AccountAccess) -> list[tuple[Folder, str]]:
    """Every folder of the account with its full path as a label ("Contracts / 2026"), for
    the move form."""
    folders = list(Folder.objects.filter(account=access.account))
    by_pk = {f.pk: f for f in folders}

    def label(f: Folder) -> str:
        parts, seen = [f.name], {f.pk}
        while f.parent_id and f.parent_id in by_pk and f.parent_id not in seen:
            f = by_pk[f.parent_id]
            seen.add(f.pk)
            parts.insert(0, f.name)
        return " / ".join(parts)

    return sorted(((f, label(f)) for f in folders), key=lambda pair: pair[1].lower())


def recent_shared(access: AccountAccess, limit: int = 5) -> list[Document]:
    """The account's latest documents the viewer may see (the panel on the account page)."""
    return list(listing_all(access)[:limit])


def listing_all(access: AccountAccess) -> QuerySet[Document]:
    return (
        visible_documents(access)
        .select_related("uploaded_by", "account", "folder")
        .order_by("-uploaded_at", "-pk")
    )


def attachments_of(access: AccountAccess, target: Any, cache: dict[Any, Any]) -> list[Document]:
    """The files attached to ``target`` that the viewer may see. The comments of one task, and
    the items and comments of one plan, are loaded together the first time one of them is
    asked for (``cache`` lives as long as the request), so a page lists every attachment in
    one query per task or plan."""
    if isinstance(target, Task):
        key: tuple[Any, ...] = ("task", target.pk)
        documents = Q(task=target)
    elif isinstance(target, TaskComment):
        key = ("task_comments", target.task_id)
        documents = Q(task_comment__task_id=target.task_id)
    elif isinstance(target, Objective | Milestone | ActionItem | PlanComment):
        key = ("plan", target.plan_id)
        documents = (
            Q(objective__plan_id=target.plan_id)
            | Q(milestone__plan_id=target.plan_id)
            | Q(action_item__plan_id=target.plan_id)
            | Q(plan_comment__plan_id=target.plan_id)
        )
    else:
        return []
    if key not in cache:
        grouped: dict[tuple[str, int], list[Document]] = defaultdict(list)
        rows = visible_documents(access).filter(documents).select_related("account", "uploaded_by")
        for document in rows.order_by("uploaded_at", "pk"):
            for name in (
                "task",
                "task_comment",
                "objective",
                "milestone",
                "action_item",
                "plan_comment",
            ):
                pk = getattr(document, f"{name}_id")
                if pk:
                    grouped[(name, pk)].append(document)
        cache[key] = grouped
    return list(cache[key].get((_kind(target), target.pk), []))


def _kind(target: Any) -> str:
    return {
        Task: "task",
        TaskComment: "task_comment",
        Objective: "objective",
        Milestone: "milestone",
        ActionItem: "action_item",
        PlanComment: "plan_comment",
    }[type(target)]
