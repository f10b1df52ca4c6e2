"""Handing a stored file to someone the calling view has already let see it.

Where the file lives is the storage's business (the local disk, or object storage shared by
every machine: see ``portal/storage_settings.py``). How it reaches the browser is a setting:
``STORAGE_DOWNLOADS=stream`` (the default) reads it through this process, so the storage is
never seen from outside; ``presigned`` answers with a redirect to a signed URL that expires
after ``STORAGE_PRESIGNED_SECONDS``, which spares the web process the bytes but needs the
storage reachable from the browser. The local disk has no signed URLs: it always streams.

Either way the URL is made here, after the view's access check, and never stored or shown on
a page, so it cannot outlive the request that asked for it by more than those seconds.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header


def signs_urls(field_file: FieldFile) -> bool:
    """Whether the file's storage makes expiring signed URLs (django-storages' S3 does)."""
    return bool(getattr(field_file.storage, "querystring_auth", False))


def presigned(field_file: FieldFile) -> bool:
    """Whether a download of this file is a redirect to a signed URL (else it is streamed)."""
    return settings.STORAGE_DOWNLOADS == "presigned" and signs_urls(field_file)


def present(field_file: FieldFile) -> bool:
    """Whether the file is in its storage (a storage that cannot say counts as "no")."""
    if not field_file.name:
        return False
    try:
        return bool(field_file.storage.exists(field_file.name))
    except (OSError, ValueError):
        return False


def download(field_file: FieldFile, *, filename: str) -> HttpResponseBase:
    """The file as an attachment named ``filename``: streamed, or a redirect to a signed URL.
    404 when the file is gone from the storage."""
    storage, name = field_file.storage, field_file.name
    if not name:
        raise Http404("There is no file.")
    if presigned(field_file):
        if not present(field_file):
            raise Http404("The file is missing.")
        signing: Any = storage  # S3Storage.url takes the response headers and the expiry
        url = signing.url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": mimetypes.guess_type(filename)[0]
                or "application/octet-stream",
                "ResponseCacheControl": "private, no-store",
            },
            expire=settings.STORAGE_PRESIGNED_SECONDS,
        )
        response: HttpResponseBase = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        handle = field_file.open("rb")
    except (OSError, ValueError) as error:
        raise Http404("The file is missing.") from error
    return FileResponse(handle, as_attachment=True, filename=filename)
