"""Documents in object storage: an upload goes over HTTP to a real S3-compatible server
(moto's, tests/s3_helpers.py) and comes back only through the portal's download view."""

from __future__ import annotations

from typing import Any

import pytest

from documents.models import Document
from tests.conftest import World, client_for
from tests.documents_helpers import PDF, pdf_upload
from tests.s3_helpers import S3Bucket, s3_bucket_fixture, s3_server_fixture

assert s3_server_fixture and s3_bucket_fixture  # the S3 server and a bucket per test

pytestmark = pytest.mark.django_db


def test_an_upload_lands_in_the_bucket_and_is_streamed_back(
    world: World, s3_bucket: S3Bucket, settings: Any
) -> None:
    settings.STORAGE_DOWNLOADS = "stream"
    response = client_for(world.champion).post(
        "/a/acme/documents/upload/", {"file": pdf_upload("contract.pdf")}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    keys = s3_bucket.keys("documents/")
    assert keys == [document.file.name]
    assert s3_bucket.read(keys[0]) == PDF
    download = client_for(world.executive).get(f"/a/acme/documents/{document.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


def test_a_presigned_download_is_a_redirect_only_for_those_who_may_see_it(
    world: World, s3_bucket: S3Bucket, settings: Any
) -> None:
    settings.STORAGE_DOWNLOADS = "presigned"
    client_for(world.csm).post(
        "/a/acme/documents/upload/", {"file": pdf_upload("notes.pdf"), "visibility": "internal"}
    )
    document = Document.objects.get()
    assert client_for(world.champion).get(f"/a/acme/documents/{document.pk}/download/").status_code == 404  # fmt: skip
    response = client_for(world.csm).get(f"/a/acme/documents/{document.pk}/download/")
    assert response.status_code == 302
    assert s3_bucket.name in response["Location"] and "Signature" in response["Location"]
