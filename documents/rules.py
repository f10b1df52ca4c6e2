"""What an upload must be before it is kept: within the size limit, of an allowed type (by its
extension and by what its first bytes say it is), and passed by the virus scanner when one is
set up. Each refusal is a :class:`~django.core.exceptions.ValidationError` whose message says
what to do.

Settings: ``DOCUMENT_MAX_BYTES`` (25 MiB), ``DOCUMENT_ALLOWED_TYPES`` (extensions),
``DOCUMENT_SCAN_COMMAND`` (for example ``clamdscan --no-summary -``: run with the file on its
standard input; a non-zero exit refuses the file; empty, the default, scans nothing) and
``DOCUMENT_SCAN_TIMEOUT`` (seconds).
"""

from __future__ import annotations

import io
import shlex
import subprocess
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Extension -> (content type, what its first bytes must be).
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    "csv": ("text/csv", "text"),
    "txt": ("text/plain", "text"),
    "md": ("text/markdown", "text"),
    "zip": ("application/zip", "zip"),
}
DEFAULT_ALLOWED = ("pdf", "png", "jpg", "jpeg", "gif", "webp", "docx", "xlsx", "pptx", "csv", "txt", "md", "zip")  # fmt: skip
# An Office file is a zip whose parts sit under this folder.
OFFICE_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
SNIFF_BYTES = 4096


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", 25 * 1024 * 1024))


def allowed_extensions() -> tuple[str, ...]:
    configured = getattr(settings, "DOCUMENT_ALLOWED_TYPES", DEFAULT_ALLOWED)
    return tuple(ext.lower().lstrip(".") for ext in configured if ext.lower().lstrip(".") in TYPES)


def accept_attribute() -> str:
    """For the file input's ``accept``: the browser offers the allowed files first."""
    return ",".join(f".{ext}" for ext in allowed_extensions())


def extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def sniff(head: bytes, handle: IO[bytes]) -> set[str]:
    """What the first bytes of a file say it is (more than one answer for a zip)."""
    kinds: set[str] = set()
    if head.startswith(b"%PDF-"):
        kinds.add("pdf")
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kinds.add("png")
    elif head.startswith(b"\xff\xd8\xff"):
        kinds.add("jpeg")
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kinds.add("gif")
    elif head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        kinds.add("webp")
    elif head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        kinds.add("zip")
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            names = []
        if "[Content_Types].xml" in names:
            for kind, prefix in OFFICE_PARTS.items():
                if any(n.startswith(prefix) for n in names):
                    kinds.add(kind)
    elif b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            if error.start < len(head) - 3:
                return kinds
        kinds.add("text")
    return kinds


@dataclass(frozen=True)
class Checked:
    name: str
    size: int
    content_type: str


def check_upload(handle: IO[bytes], name: str, size: int) -> Checked:
    """Refuse an upload that is empty, too large, of a type not allowed, or not what its
    extension says; then run the virus scanner. Returns what the document records."""
    name = name.replace("\\", "/").rpartition("/")[2].strip()[:200]
    if not name:
        raise ValidationError({"file": _("The file has no name.")}, code="no_name")
    if size <= 0:
        raise ValidationError(
            {
                "file": _("“%(name)s” is empty: choose a file with something in it.")
                % {"name": name}
            },
            code="empty",
        )
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            {
                "file": _("“%(name)s” is %(size)s; files may be up to %(limit)s.")
                % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
            },
            code="too_large",
        )
    ext = extension(name)
    allowed = allowed_extensions()
    if ext not in allowed:
        raise ValidationError(
            {
                "file": _("“%(name)s” is not a file type the portal keeps. Allowed: %(kinds)s.")
                % {"name": name, "kinds": ", ".join(allowed)}
            },
            code="type",
        )
    content_type, expected = TYPES[ext]
    handle.seek(0)
    head = handle.read(SNIFF_BYTES)
    if expected not in sniff(head, handle):
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” does not look like a .%(ext)s file. Check it and upload it again."
                )
                % {"name": name, "ext": ext}
            },
            code="mismatch",
        )
    handle.seek(0)
    scan(handle, name)
    handle.seek(0)
    return Checked(name=name, size=size, content_type=content_type)


def scan(handle: IO[bytes], name: str) -> None:
    """Run ``DOCUMENT_SCAN_COMMAND`` with the file on its standard input."""
    command = getattr(settings, "DOCUMENT_SCAN_COMMAND", "")
    if not command:
        return
    timeout = int(getattr(settings, "DOCUMENT_SCAN_TIMEOUT", 60))
    handle.seek(0)
    feed: dict[str, Any]
    try:
        feed = {"stdin": handle.fileno()}  # a file on disk: the scanner reads it directly
    except (AttributeError, OSError, io.UnsupportedOperation):
        feed = {"input": handle.read()}  # a small upload held in memory
    try:
        result = subprocess.run(  # noqa: S603 - the operator's command, split, no shell
            shlex.split(command),
            capture_output=True,
            timeout=timeout,
            check=False,
            **feed,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ValidationError(
            {
                "file": _("“%(name)s” could not be checked for viruses just now. Try again later.")
                % {"name": name}
            },
            code="scan_failed",
        ) from error
    if result.returncode != 0:
        raise ValidationError(
            {
                "file": _("“%(name)s” was refused by the virus scan. It was not uploaded.")
                % {"name": name}
            },
            code="infected",
        )
