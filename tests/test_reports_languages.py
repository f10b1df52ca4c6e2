"""A business review's PDF in the language and zone of the person who downloads it: one stored
file a (review, language, zone), made on the first download in it (or, for the account's own
language, when the review is published), the English one untouched."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.http import FileResponse
from django.utils import translation

from insights.models import AccountFacts, UsageDay
from portal.i18n import Locale, override_for
from reports import services
from reports.figures import review_inputs
from reports.models import Report, Review, default_title
from reports.rendering import render_html
from successplans.models import KPI, KPIValue, Milestone, MilestoneStatus, Objective, SuccessPlan
from tests.conftest import World, client_for
from tests.forecast_factories import HealthScoreFactory

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs)"
)

GERMAN = ["Management Summary", "Ziele und KPIs", "Nutzung und Adoption", "Erreichte Meilensteine"]
ENGLISH = ["Executive summary", "Objectives and KPIs", "Usage and adoption", "Milestones reached"]


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any, settings: Any, tmp_path: Path) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 12, tzinfo=UTC))
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published(world: World, django_capture_on_commit_callbacks: Any) -> Review:
    """Acme's Q3 2026 review, published (its English PDF made): 1,234 monthly active users, a
    KPI, and a milestone reached at 20:00 UTC on 31 August (1 September in Tokyo)."""
    account = world.account
    UsageDay.objects.create(
        account=account,
        day=date(2026, 9, 30),
        active_users=300,
        weekly_active_users=900,
        monthly_active_users=1234,
        events=5000,
    )
    plan = SuccessPlan.objects.create(
        account=account,
        name="2026 plan",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        created_by=world.csm,
    )
    objective = Objective.objects.create(plan=plan, title="Close the books faster")
    kpi = KPI.objects.create(
        objective=objective, name="Reporting time", unit="hours", baseline=48, target=8
    )
    KPIValue.objects.create(
        kpi=kpi, value=Decimal("30.5"), recorded_at=datetime(2026, 8, 1, 12, tzinfo=UTC)
    )
    Milestone.objects.create(
        plan=plan,
        title="Data sources connected",
        target_date=date(2026, 9, 1),
        status=MilestoneStatus.DONE,
        done_at=datetime(2026, 8, 31, 20, tzinfo=UTC),
    )
    review = Review.objects.create(
        account=account,
        title="Q3 2026 business review",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        summary="Strong quarter.",
        created_by=world.csm,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_review(review, acting_user=world.csm)
    return review


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", text)


def download(user: Any, report: Report, capture: Any) -> Any:
    """Download as ``user``; a version made on the way is rendered before the second try."""
    client = client_for(user)
    with capture(execute=True):
        response = client.get(f"/a/acme/reports/{report.pk}/download/")
    if response.status_code == 302:
        response = client.get(response["Location"].rstrip("/") + "/download/")
    return response


def body(response: Any) -> bytes:
    assert isinstance(response, FileResponse)
    stream = response.file_to_stream
    content = response.getvalue()
    if stream is not None:
        stream.close()  # not response.close(): that ends the request, and the test's connection
    return content


def stored_bytes(report: Report) -> bytes:
    """The PDF ``report`` stored, its file closed again."""
    content = report.file.read()
    report.file.close()
    return content


@needs_poppler
def test_a_german_executive_gets_the_review_in_german(
    world: World, published: Review, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    english = Report.objects.get(review=published)
    english_bytes = stored_bytes(english)
    world.executive.language = "de"
    world.executive.save(update_fields=["language"])

    first = client_for(world.executive)
    with django_capture_on_commit_callbacks(execute=True):
        response = first.get(f"/a/acme/reports/{english.pk}/download/")
    german = Report.objects.exclude(pk=english.pk).get(review=published)
    # Made on this first download: its page shows when it is ready.
    assert response.status_code == 302 and response["Location"] == f"/a/acme/reports/{german.pk}/"
    assert (german.language, german.version, german.shared) == ("de", 1, True)

    response = first.get(f"/a/acme/reports/{english.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-qbr-2026-q3-de.pdf"'
    text = pdf_text(body(response), tmp_path)
    for word in GERMAN:
        assert word in text
    for word in ENGLISH:
        assert word not in text
    # Dates and numbers as Germans write them.
    assert "1. Juli 2026" in text and "1.234" in text and "30,5" in text
    assert "1 July 2026" not in text and "1,234" not in text

    # The English file is the one it was, and an English reader still gets it.
    english.refresh_from_db()
    assert english.language == "en" and english.file.read() == english_bytes
    english.file.close()
    response = download(world.champion, english, django_capture_on_commit_callbacks)
    assert response["Content-Disposition"] == 'attachment; filename="acme-qbr-2026-q3.pdf"'
    assert body(response) == english_bytes
    text = pdf_text(english_bytes, tmp_path)
    assert [word for word in ENGLISH if word not in text] == [], text
    assert "1 July 2026" in text and "1,234" in text

    # Two languages, two stored files; a second German download makes nothing new.
    files = {r.language: r.file.name for r in Report.objects.filter(review=published)}
    assert set(files) == {"en", "de"} and files["en"] != files["de"]
    assert all(english.file.storage.exists(name) for name in files.values())
    again = body(download(world.executive, english, django_capture_on_commit_callbacks))
    assert again.startswith(b"%PDF") and Report.objects.filter(review=published).count() == 2


@needs_poppler
def test_dates_are_told_in_the_downloaders_zone(
    world: World, published: Review, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    english = Report.objects.get(review=published)
    text = pdf_text(english.file.read(), tmp_path)
    english.file.close()
    assert "31 August 2026" in text  # reached at 20:00 UTC
    world.executive.language, world.executive.time_zone = "de", "Asia/Tokyo"
    world.executive.save(update_fields=["language", "time_zone"])
    response = download(world.executive, english, django_capture_on_commit_callbacks)
    text = pdf_text(body(response), tmp_path)
    assert "1. September 2026" in text and "31. August 2026" not in text
    tokyo = Report.objects.get(review=published, language="de")
    assert tokyo.time_zone == "Asia/Tokyo"


def test_the_account_language_is_made_ahead_when_the_review_is_published(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.account.language = "fr"
    world.account.save(update_fields=["language"])
    review = Review.objects.create(
        account=world.account,
        title="Q3",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        created_by=world.csm,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_review(review, acting_user=world.csm)
    made = Report.objects.get(review=review)
    assert (made.language, made.status) == ("fr", Report.Status.READY)
    assert made.filename == "acme-qbr-2026-q3-fr.pdf" and "-fr-" in made.file.name


def test_the_pdfs_html_says_its_language(world: World, published: Review) -> None:
    for language in ("en", "de", "fr", "es"):
        with override_for(locale=Locale(language, "Europe/Berlin")):
            html = render_html(review_inputs(published))
        assert f'<html lang="{language}"' in html


def test_who_may_not_see_the_review_makes_no_copy_in_their_language(
    world: World, published: Review, django_capture_on_commit_callbacks: Any
) -> None:
    english = Report.objects.get(review=published)
    for user, code in ((world.member, 403), (world.other_champion, 404), (None, 302)):
        if user is not None:
            user.language = "de"
            user.save(update_fields=["language"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(user).get(f"/a/acme/reports/{english.pk}/download/")
        assert response.status_code == code
    assert list(Report.objects.filter(review=published)) == [english]
    # Unpublished: the customer's link is gone, in any language.
    services.unpublish_review(published, acting_user=world.csm)
    world.executive.language = "de"
    world.executive.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.executive).get(f"/a/acme/reports/{english.pk}/download/")
    assert response.status_code == 404
    assert list(Report.objects.filter(review=published)) == [english]


def test_a_review_showing_health_is_stored_with_its_parts_named_as_text(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # The part names are lazy translations: the review's inputs hold them as text.
    AccountFacts.objects.create(account=world.account, customers_see_health=True)
    HealthScoreFactory.create(
        account=world.account,
        day=date(2026, 9, 30),
        score=42,
        parts={"usage": {"score": 20, "weight": 50, "why": "Few people log in"}},
    )
    review = Review.objects.create(
        account=world.account,
        title="Q3 2026 business review",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        created_by=world.csm,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_review(review, acting_user=world.csm)
    inputs = Report.objects.get(review=review).inputs
    assert [p["label"] for p in inputs["health"]["parts"]] == ["Usage"]
    assert inputs["health"]["drags"][0]["label"] == "Usage"


def test_a_version_in_another_language_prints_what_the_published_one_prints(
    world: World, published: Review, django_capture_on_commit_callbacks: Any
) -> None:
    # Edited after publishing (and not made again): the English PDF the customer has still
    # says what it said, and so does the German one a German reader gets from it.
    english = Report.objects.get(review=published)
    services.edit_review(
        published, acting_user=world.csm, title="Q3 review, edited", summary="Edited later."
    )
    world.executive.language = "de"
    world.executive.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.executive).get(f"/a/acme/reports/{english.pk}/download/")
    german = Report.objects.get(review=published, language="de")
    assert german.made_from == english
    # The title as published (the default one), in German: not the title edited since.
    assert english.inputs["review"]["title"] == "Q3 2026 business review"
    with translation.override("de"):
        assert german.inputs["review"]["title"] == default_title(published.period_start)
    assert german.inputs["review"]["title"] not in ("Q3 review, edited", "Q3 2026 business review")
    assert german.inputs["review"]["summary"] == "Strong quarter."
    assert german.inputs["review"]["slug"] == english.inputs["review"]["slug"] == "2026-q3"
    assert german.inputs["review"]["kind_label"] != english.inputs["review"]["kind_label"]
    # Its figures are gathered as of the day the English one was asked for.
    assert german.inputs["milestones"]["done"][0]["title"] == "Data sources connected"
    assert german.inputs["usage"]["mau"] == "1.234" and english.inputs["usage"]["mau"] == "1,234"


def test_the_archive_shows_each_reader_the_document_and_gives_them_their_language(
    world: World, published: Review, django_capture_on_commit_callbacks: Any
) -> None:
    english = Report.objects.get(review=published)
    world.executive.language = "de"
    world.executive.save(update_fields=["language"])
    assert body(download(world.executive, english, django_capture_on_commit_callbacks))
    german = Report.objects.get(review=published, language="de")
    assert german.status == Report.Status.READY

    def shown_to(user: Any) -> Any:
        with override_for(user):
            [doc] = [d for d in services.archive(world.account, customer=True) if d.review]
        return doc

    # One version of the document, shown to each reader in their language.
    assert (shown_to(world.executive).latest, shown_to(world.executive).versions) == (german, 1)
    assert (shown_to(world.champion).latest, shown_to(world.champion).versions) == (english, 1)
    # A newer version, made in English: both see it (not the German copy of the older one),
    # and the German reader's download of it gives them a German copy of that version.
    published = services.edit_review(published, acting_user=world.csm, summary="A better quarter.")
    with django_capture_on_commit_callbacks(execute=True), override_for(account=world.account):
        newer, made_new = services.request_review(published, acting_user=world.csm)
    assert made_new and newer.version == 2
    assert shown_to(world.executive).latest == newer
    assert shown_to(world.executive).versions == 2
    response = download(
        world.executive,
        shown_to(world.executive).latest,
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200 and body(response).startswith(b"%PDF")
    copy = Report.objects.get(made_from=newer)
    assert copy.language == "de" and copy.inputs["review"]["summary"] == "A better quarter."
    assert shown_to(world.executive).latest == copy
    assert shown_to(world.champion).latest == newer


SPANISH = ["Resumen ejecutivo", "Objetivos y KPI", "Uso y adopción", "Hitos alcanzados"]


@needs_poppler
def test_a_copy_in_another_language_shows_the_data_as_published_not_as_changed_since(
    world: World, published: Review, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    english = Report.objects.get(review=published)
    english_bytes = stored_bytes(english)
    # After publishing: the objective is renamed, the KPI and the users move on, another
    # milestone is reached in the period.
    Objective.objects.filter(title="Close the books faster").update(title="Renamed since")
    KPIValue.objects.create(
        kpi=KPI.objects.get(), value=Decimal("12"), recorded_at=datetime(2026, 9, 1, tzinfo=UTC)
    )
    UsageDay.objects.filter(account=world.account).update(monthly_active_users=9876)
    Milestone.objects.create(
        plan=SuccessPlan.objects.get(),
        title="Ticked since",
        target_date=date(2026, 9, 15),
        status=MilestoneStatus.DONE,
        done_at=datetime(2026, 9, 10, 12, tzinfo=UTC),
    )
    world.executive.language = "es"
    world.executive.save(update_fields=["language"])

    response = download(world.executive, english, django_capture_on_commit_callbacks)
    assert response["Content-Disposition"] == 'attachment; filename="acme-qbr-2026-q3-es.pdf"'
    text = pdf_text(body(response), tmp_path)
    for word in SPANISH:
        assert word in text
    assert "Executive summary" not in text
    # The data as published, worded in Spanish: its name, figures and day.
    assert "Close the books faster" in text and "Renamed since" not in text
    assert "Data sources connected" in text and "Ticked since" not in text
    assert "1234" in text.replace(".", "").replace("\u00a0", "") and "9876" not in text
    assert "30,5" in text and "12 hours" not in text
    assert "31 de agosto de 2026" in text
    spanish = Report.objects.get(review=published, language="es")
    assert spanish.made_from == english and spanish.snapshot == english.snapshot

    # The English reader gets the very file published, unchanged.
    again = download(world.champion, english, django_capture_on_commit_callbacks)
    assert body(again) == english_bytes
    assert Report.objects.filter(review=published).count() == 2


def test_a_version_keeps_its_figures_as_language_neutral_data(
    world: World, published: Review
) -> None:
    import json

    english = Report.objects.get(review=published)
    snapshot = json.dumps(english.snapshot)
    # Codes, ISO days and numbers; no word in the reader's language, no lazy text.
    assert "2026-09-30" in snapshot and '"qbr"' in snapshot
    assert "Quarterly business review" not in snapshot and "September" not in snapshot
    from reports.words import worded

    with translation.override("en"):
        assert worded(english.snapshot) == english.inputs
    with translation.override("de"):
        german = worded(english.snapshot)
    assert german["review"]["kind_label"] != english.inputs["review"]["kind_label"]
    assert german["usage"]["mau"] == "1.234"
    assert german["objectives"][0]["title"] == "Close the books faster"


@needs_poppler
def test_a_wrapped_copy_in_another_language_shows_the_year_as_it_was_made(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    UsageDay.objects.create(
        account=world.account,
        day=date(2026, 6, 30),
        active_users=300,
        weekly_active_users=900,
        monthly_active_users=1234,
        events=5000,
    )
    with django_capture_on_commit_callbacks(execute=True), override_for(account=world.account):
        english, made_new = services.request_wrapped(world.account, 2026, acting_user=world.csm)
    assert made_new and english.snapshot is not None
    UsageDay.objects.filter(account=world.account).update(monthly_active_users=9876)
    world.executive.language = "es"
    world.executive.save(update_fields=["language"])
    text = pdf_text(
        body(download(world.executive, english, django_capture_on_commit_callbacks)), tmp_path
    )
    assert "1234" in text.replace(".", "").replace("\u00a0", "") and "9876" not in text
    assert "junio" in text
    spanish = Report.objects.get(document="wrapped-2026", language="es")
    assert spanish.made_from == english


def test_a_version_made_before_its_figures_were_kept_is_copied_as_before(
    world: World, published: Review, django_capture_on_commit_callbacks: Any
) -> None:
    english = Report.objects.get(review=published)
    Report.objects.filter(pk=english.pk).update(snapshot=None)
    world.executive.language = "de"
    world.executive.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.executive).get(f"/a/acme/reports/{english.pk}/download/")
    german = Report.objects.get(review=published, language="de")
    assert german.made_from == english
    assert german.inputs["review"]["summary"] == "Strong quarter."
    assert german.inputs["milestones"]["done"][0]["title"] == "Data sources connected"
    assert german.snapshot is not None
