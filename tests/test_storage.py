"""Files in object storage: a real S3-compatible server over HTTP (moto's, tests/s3_helpers.py).

A logo uploaded through the account form and a review PDF rendered by its task land in the
bucket (listed by the server itself); the executive downloads the PDF through the portal,
streamed or as a short-lived signed URL; a person of another account gets a 404 and no URL.
Settings: what ``STORAGE_URL`` and the ``AWS_*`` variables make, and that nothing is public.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import Client
from PIL import Image

from accounts.models import Account, Activity
from portal import storage_settings
from reports.models import Report, Review
from tests.conftest import World, client_for
from tests.s3_helpers import S3Bucket, s3_bucket_fixture, s3_server_fixture

assert s3_server_fixture and s3_bucket_fixture  # the S3 server and a bucket per test

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 12, tzinfo=UTC))


def png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_logo(client: Client, account: Account, data: bytes, name: str = "logo.png") -> None:
    """The account form, as the CSM sends it, with a new logo."""
    response = client.post(
        f"/a/{account.slug}/edit/",
        {
            "name": account.name,
            "slug": account.slug,
            "segment": account.segment,
            "touch_model": account.touch_model,
            "stage": account.stage,
            "owner": account.owner_id,
            "logo": SimpleUploadedFile(name, data, content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def publish_review(world: World, capture: Any) -> Report:
    """The CSM writes and publishes a review; its PDF is rendered by the task on commit."""
    csm = client_for(world.csm)
    response = csm.post(
        "/a/acme/reviews/new/",
        {
            "title": "Q3 2026 business review",
            "kind": "qbr",
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "summary": "Strong quarter.",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get()
    with capture(execute=True):
        csm.post(f"/a/acme/reviews/{review.pk}/publish/", {"publish": "1"})
    report = Report.objects.get(review=review)
    assert report.status == Report.Status.READY, report.error
    return report


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


# Files go to the bucket, and come back only through the portal --------------------------------


def test_a_logo_and_a_review_pdf_land_in_the_bucket_and_the_pdf_shows_the_logo(
    world: World,
    s3_bucket: S3Bucket,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    logo = png("#c2410c")
    upload_logo(client_for(world.csm), world.account, logo)
    world.account.refresh_from_db()
    assert s3_bucket.keys("logos/") == [world.account.logo.name]
    assert s3_bucket.read(world.account.logo.name) == logo

    report = publish_review(world, django_capture_on_commit_callbacks)

    assert report.file.name in s3_bucket.keys("reports/")
    pdf = s3_bucket.read(report.file.name)
    assert pdf.startswith(b"%PDF") and len(pdf) == report.size
    assert not (Path(django_settings.MEDIA_ROOT) / report.file.name).exists()  # not on the disk
    if shutil.which("pdfimages"):  # the logo, 8 by 8 pixels, is the PDF's image
        (tmp_path / "review.pdf").write_bytes(pdf)
        listed = subprocess.run(
            ["pdfimages", "-list", str(tmp_path / "review.pdf")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert any(line.split()[3:5] == ["8", "8"] for line in listed.splitlines()[2:]), listed
    # The logo the account page shows comes through the portal, from the bucket.
    shown = client_for(world.executive).get("/a/acme/logo/")
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == logo  # type: ignore[attr-defined]


def test_the_executive_downloads_the_pdf_streamed_from_the_bucket(
    world: World, s3_bucket: S3Bucket, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.STORAGE_DOWNLOADS = "stream"
    report = publish_review(world, django_capture_on_commit_callbacks)

    response = client_for(world.executive).get(f"/a/acme/reports/{report.pk}/download/")

    assert response.status_code == 200 and isinstance(response, FileResponse)
    assert response["Content-Disposition"] == 'attachment; filename="acme-qbr-2026-q3.pdf"'
    assert response.getvalue() == s3_bucket.read(report.file.name)
    assert Activity.objects.filter(verb="downloaded", actor=world.executive).count() == 1


def test_the_executive_is_sent_to_a_signed_url_that_expires_after_the_setting(
    world: World, s3_bucket: S3Bucket, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.STORAGE_DOWNLOADS = "presigned"
    settings.STORAGE_PRESIGNED_SECONDS = 45
    settings.STORAGES = {**settings.STORAGES, "default": s3_bucket.storage(presigned_seconds=45)}
    report = publish_review(world, django_capture_on_commit_callbacks)

    response = client_for(world.executive).get(f"/a/acme/reports/{report.pk}/download/")

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    url = response["Location"]
    assert url.startswith(f"{s3_bucket.server.endpoint}/{s3_bucket.name}/{report.file.name}?")
    query = parse_qs(urlsplit(url).query)
    # What S3 enforces: signed now, valid for the setting's seconds (moto's server does not
    # refuse an expired URL itself, so the test reads the terms the signature covers).
    assert query["X-Amz-Expires"] == ["45"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 30
    assert "X-Amz-Signature" in query
    status, body, headers = fetch(url)
    assert status == 200 and body == s3_bucket.read(report.file.name)
    assert headers["Content-Disposition"] == 'attachment; filename="acme-qbr-2026-q3.pdf"'
    assert Activity.objects.filter(verb="downloaded", actor=world.executive).count() == 1
    # Without the signature the bucket refuses: nothing in it is public.
    assert fetch(s3_bucket.unsigned_url(report.file.name))[0] == 403


@pytest.mark.parametrize("mode", ["stream", "presigned"])
@pytest.mark.parametrize("persona", ["other_champion", "other_csm"])
def test_a_person_of_another_account_gets_a_404_and_no_url(
    world: World,
    s3_bucket: S3Bucket,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    mode: str,
    persona: str,
) -> None:
    settings.STORAGE_DOWNLOADS = mode
    report = publish_review(world, django_capture_on_commit_callbacks)
    before = Activity.objects.filter(verb="downloaded").count()

    response = client_for(world.persona(persona)).get(f"/a/acme/reports/{report.pk}/download/")

    assert response.status_code == 404
    assert "Location" not in response
    assert s3_bucket.server.endpoint.encode() not in response.content
    assert b"X-Amz" not in response.content and s3_bucket.name.encode() not in response.content
    assert Activity.objects.filter(verb="downloaded").count() == before


def test_a_member_who_may_not_download_gets_a_403_and_no_url(
    world: World, s3_bucket: S3Bucket, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.STORAGE_DOWNLOADS = "presigned"
    report = publish_review(world, django_capture_on_commit_callbacks)
    response = client_for(world.member).get(f"/a/acme/reports/{report.pk}/download/")
    assert response.status_code == 403 and "Location" not in response
    assert b"X-Amz" not in response.content


def test_a_file_gone_from_the_bucket_is_a_404_in_both_modes(
    world: World, s3_bucket: S3Bucket, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report = publish_review(world, django_capture_on_commit_callbacks)
    s3_bucket.server.client().delete_object(Bucket=s3_bucket.name, Key=report.file.name)
    executive = client_for(world.executive)
    for mode in ("stream", "presigned"):
        settings.STORAGE_DOWNLOADS = mode
        response = executive.get(f"/a/acme/reports/{report.pk}/download/")
        assert response.status_code == 404 and "Location" not in response
    assert not Activity.objects.filter(verb="downloaded").exists()


def test_two_accounts_uploading_a_logo_of_the_same_name_keep_their_own(
    world: World, s3_bucket: S3Bucket
) -> None:
    upload_logo(client_for(world.csm), world.account, png("#c2410c"), name="logo.png")
    upload_logo(client_for(world.other_csm), world.other_account, png("#2457d6"), name="logo.png")
    world.account.refresh_from_db()
    world.other_account.refresh_from_db()
    assert world.account.logo.name != world.other_account.logo.name
    assert len(s3_bucket.keys("logos/")) == 2
    acme = client_for(world.champion).get("/a/acme/logo/")
    bluth = client_for(world.other_champion).get("/a/bluth/logo/")
    assert b"".join(acme.streaming_content) == png("#c2410c")  # type: ignore[attr-defined]
    assert b"".join(bluth.streaming_content) == png("#2457d6")  # type: ignore[attr-defined]


def test_a_logo_is_streamed_even_when_downloads_are_presigned(
    world: World, s3_bucket: S3Bucket, settings: Any
) -> None:
    """Pages show it in an <img>, which their Content-Security-Policy lets load from the
    portal only."""
    settings.STORAGE_DOWNLOADS = "presigned"
    upload_logo(client_for(world.csm), world.account, png("#c2410c"))
    response = client_for(world.member).get("/a/acme/logo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png("#c2410c")  # type: ignore[attr-defined]
    assert client_for(world.other_champion).get("/a/acme/logo/").status_code == 404


# On the local disk, both settings stream ------------------------------------------------------


@pytest.mark.parametrize("mode", ["stream", "presigned"])
def test_on_the_local_disk_the_download_is_streamed_whatever_the_setting(
    world: World,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
    mode: str,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGE_DOWNLOADS = mode
    assert default_storage.__class__.__name__ == "FileSystemStorage"
    report = publish_review(world, django_capture_on_commit_callbacks)
    response = client_for(world.executive).get(f"/a/acme/reports/{report.pk}/download/")
    assert response.status_code == 200 and isinstance(response, FileResponse)
    assert response.getvalue() == (tmp_path / report.file.name).read_bytes()


# Settings ------------------------------------------------------------------------------------


def options(**kwargs: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "url": "",
        "variables": {},
        "access_key": "",
        "secret_key": "",
        "presigned_seconds": 60,
    }
    return storage_settings.default_storage(**(defaults | kwargs))


def test_with_nothing_set_files_go_to_the_local_disk() -> None:
    assert options() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_storage_url_names_the_bucket_and_the_server_and_keeps_everything_private() -> None:
    made = options(
        url="s3://files/portal/prod?endpoint_url=http://10.0.0.5:9000&region=eu-west-1"
        "&addressing_style=path",
        access_key="KEY",
        secret_key="SECRET",
        presigned_seconds=30,
    )
    assert made == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "files",
            "location": "portal/prod",
            "endpoint_url": "http://10.0.0.5:9000",
            "region_name": "eu-west-1",
            "addressing_style": "path",
            "signature_version": "s3v4",
            "access_key": "KEY",
            "secret_key": "SECRET",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 30,
            "custom_domain": None,
            "file_overwrite": False,
        },
    }


def test_keys_in_the_url_are_percent_decoded_and_win_over_the_variables() -> None:
    made = options(url="s3://AK%2F1:s%2Bc%40t@files", access_key="OTHER", secret_key="OTHER")
    assert (made["OPTIONS"]["access_key"], made["OPTIONS"]["secret_key"]) == ("AK/1", "s+c@t")
    assert "endpoint_url" not in made["OPTIONS"]  # Amazon's own, found by boto3


def test_the_usual_aws_variables_do_the_same_without_a_storage_url() -> None:
    made = options(
        variables={
            "AWS_STORAGE_BUCKET_NAME": "files",
            "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
            "AWS_S3_REGION_NAME": "nl-ams",
        }
    )
    assert made["BACKEND"] == "storages.backends.s3.S3Storage"
    assert {k: made["OPTIONS"][k] for k in ("bucket_name", "endpoint_url", "region_name")} == {
        "bucket_name": "files",
        "endpoint_url": "https://s3.example.net",
        "region_name": "nl-ams",
    }
    assert made["OPTIONS"]["default_acl"] is None and made["OPTIONS"]["querystring_auth"]


@pytest.mark.parametrize(
    ("url", "seconds", "message"),
    [
        ("https://files.example.net/", 60, "must start with s3://"),
        ("s3://?region=x", 60, "names no bucket"),
        ("s3://files?acl=public-read", 60, "unknown option 'acl'"),
        ("s3://files?addressing_style=sideways", 60, "addressing style"),
        ("s3://files", 0, "at least 1"),
    ],
)
def test_a_wrong_storage_setting_stops_the_start_with_a_clear_message(
    url: str, seconds: int, message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        options(url=url, presigned_seconds=seconds)


def test_the_settings_module_reads_storage_url_from_the_environment() -> None:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_"))
    } | {
        "STORAGE_URL": "s3://files?endpoint_url=http://127.0.0.1:9&region=eu-west-1",
        "AWS_ACCESS_KEY_ID": "KEY",
        "AWS_SECRET_ACCESS_KEY": "SECRET",
        "STORAGE_DOWNLOADS": "presigned",
        "STORAGE_PRESIGNED_SECONDS": "20",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from django.core.files.storage import default_storage as d; "
        "print(type(d._wrapped if d._setup() is None else d).__name__, d.bucket_name, "
        "d.querystring_expire, d.default_acl, d.access_key, s.STORAGE_DOWNLOADS)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment | {"DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["S3Storage", "files", "20", "None", "KEY", "presigned"]
