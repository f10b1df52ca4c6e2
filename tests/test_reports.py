"""Business reviews and the year-end Wrapped: the figures, the PDFs, their making and access.

The PDFs are rendered for real (WeasyPrint) from known data, read back with ``pdftotext`` and
checked against the account's figures; ``pdffonts`` shows every font embedded.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.http import FileResponse
from django.utils import timezone, translation

from accounts.models import Account, Activity, Notification, NotificationSetting
from insights.models import (
    AccountFacts,
    FeatureUsageDay,
    HealthScore,
    ProductUser,
    UsageDay,
    UsageEvent,
)
from portal.models import Job
from reports import services
from reports.figures import NoReport, review_inputs, wrapped_inputs
from reports.models import BatchItem, Report, Review, WrappedBatch, WrappedNote
from reports.rendering import STATIC_BASE, Rendered, StaticOnlyFetcher, render_html, render_pdf
from successplans.models import KPI, KPIValue, Milestone, MilestoneStatus, Objective, SuccessPlan
from surveys.models import Kind, Response
from tests.celery_helpers import REDIS_URL, real_worker
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory
from tests.reports_helpers import contract
from tests.survey_helpers import deliver, make_campaign, make_survey


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    """Every test here runs on the same day (the clock still ticks, for timeouts)."""
    time_machine.move_to(datetime(2026, 11, 16, 12, tzinfo=UTC))


YEAR = 2025
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("pdfinfo")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (make test installs)")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the PDFs go to a throwaway directory


def aware(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def usage_day(account: Any, day: date, mau: int, events: int, dau: int = 1, wau: int = 1) -> None:
    UsageDay.objects.create(
        account=account,
        day=day,
        active_users=dau,
        weekly_active_users=wau,
        monthly_active_users=mau,
        events=events,
    )


def answer(account: Any, user: Any, kind: str, score: int, day: date) -> Response:
    survey = make_survey(account.owner, kind=kind)
    campaign = make_campaign(survey, account.owner)
    delivery = deliver(campaign, user, account=account, at=aware(day))
    return Response.objects.create(
        delivery=delivery,
        campaign=campaign,
        account=account,
        user=user,
        kind=kind,
        score=score,
        answered_at=aware(day),
    )


@pytest.fixture
def year_of_data(world: World, settings: Any, tmp_path: Path) -> World:
    """Acme's 2025, with figures known in advance:

    * monthly active users 15 on 31 Dec 2024, 10 in March, 20 in June, 30 on 31 Dec 2025:
      +100% against a year before, peak 30; June is the busiest month (500 of 650 actions);
    * features: reports 400 actions, exports 250; people: Dana Daily 40, Eli Often 25;
    * a KPI from 48 to 8 hours, 30 at the end of 2025 (20 only in 2026): 45% of the way;
    * a milestone reached on 10 May 2025; NPS answers 10, 9 and 6: +33.3.
    """
    settings.MEDIA_ROOT = tmp_path
    account = world.account
    usage_day(account, date(2024, 12, 31), mau=15, events=5)
    usage_day(account, date(2025, 3, 14), mau=10, events=100)
    usage_day(account, date(2025, 6, 2), mau=18, events=200)
    usage_day(account, date(2025, 6, 20), mau=20, events=300)
    usage_day(account, date(2025, 12, 31), mau=30, events=50)
    for feature, events in (("reports", 400), ("exports", 250)):
        FeatureUsageDay.objects.create(
            account=account, day=date(2025, 6, 20), feature=feature, monthly_users=5, events=events
        )
    ProductUser.objects.create(account=account, external_id="u1", name="Dana Daily")
    ProductUser.objects.create(account=account, external_id="u2", email="eli@acme.example")
    for key, count in (("u1", 40), ("u2", 25), ("u3", 90)):  # u3 is not named: not listed
        UsageEvent.objects.create(
            account=account, user_key=key, day=date(2025, 6, 20), feature="reports", count=count
        )
    plan = SuccessPlan.objects.create(
        account=account,
        name="2025 success plan",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
        created_by=world.csm,
    )
    objective = Objective.objects.create(plan=plan, title="Close the books faster")
    kpi = KPI.objects.create(
        objective=objective, name="Month-end reporting time", unit="hours", baseline=48, target=8
    )
    KPIValue.objects.create(kpi=kpi, value=Decimal(30), recorded_at=aware(date(2025, 6, 1)))
    KPIValue.objects.create(kpi=kpi, value=Decimal(20), recorded_at=aware(date(2026, 2, 1)))
    Objective.objects.create(plan=plan, title="Renewal pricing (internal)", internal=True)
    Milestone.objects.create(
        plan=plan,
        title="Data sources connected",
        target_date=date(2025, 5, 1),
        status=MilestoneStatus.DONE,
        done_at=aware(date(2025, 5, 10)),
    )
    for score, user in ((10, world.champion), (9, world.executive), (6, world.member)):
        answer(account, user, Kind.NPS, score, date(2025, 9, 1))
    return world


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"[ \t]+", " ", text)


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    assert found is not None, info.stdout
    return int(found.group(1))


def fonts_not_embedded(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert lines, "the PDF lists no font at all"
    # Columns: name type encoding emb sub uni object ID; "emb" is the fourth from the end.
    return [line for line in lines if line.split()[-4] != "yes"]


# The figures ---------------------------------------------------------------------------------


def test_wrapped_figures_come_from_the_accounts_data(year_of_data: World) -> None:
    data = wrapped_inputs(year_of_data.account, YEAR, today=date(2026, 3, 1))
    usage = data["usage"]
    assert (usage["mau"], usage["peak_mau"], usage["growth"]) == ("30", "30", "+100%")
    assert (usage["busiest_month"], usage["busiest_events"]) == ("June", "500 actions")
    assert usage["events"] == "650"
    assert [f["feature"] for f in usage["features"]] == ["reports", "exports"]
    assert [m["mau"] for m in usage["months"]][:6] == [None, None, 10, None, None, 20]
    assert [p["name"] for p in data["people"]] == ["Dana Daily", "eli@acme.example"]
    [objective] = data["objectives"]  # the internal one is left out
    [kpi] = objective["kpis"]
    assert (kpi["value"], kpi["progress"], kpi["met"]) == ("30 hours", 45, False)
    assert [m["title"] for m in data["milestones"]] == ["Data sources connected"]
    assert data["surveys"]["nps"]["score"] == "+33"
    assert data["surveys"]["people"] == 3
    assert data["complete"] is True


def test_a_year_to_come_is_refused_and_a_year_without_data_is_empty(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(NoReport, match="has not happened yet"):
        wrapped_inputs(world.account, today.year + 1)
    data = wrapped_inputs(world.account, today.year - 3)
    assert data["empty"] is True
    assert data["usage"] is None and data["surveys"] is None and data["objectives"] == []


def test_the_review_opens_with_what_changed_since_the_previous_one(year_of_data: World) -> None:
    account = year_of_data.account
    AccountFacts.objects.create(account=account, customers_see_health=True)
    HealthScore.objects.create(
        account=account, day=date(2025, 6, 30), score=55, band="at_risk", parts={}
    )
    HealthScore.objects.create(
        account=account, day=date(2025, 12, 31), score=72, band="healthy", parts={}
    )
    first = Review.objects.create(
        account=account,
        title="Q2 2025 business review",
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        created_by=year_of_data.csm,
        published_at=timezone.now(),
    )
    second = Review.objects.create(
        account=account,
        title="Q4 2025 business review",
        period_start=date(2025, 10, 1),
        period_end=date(2025, 12, 31),
        created_by=year_of_data.csm,
    )
    assert review_inputs(first)["changes"] is None  # nothing before it
    rows = {r["what"]: r for r in review_inputs(second)["changes"]["rows"]}
    assert (rows["Health score"]["before"], rows["Health score"]["now"]) == ("55", "72")
    assert rows["Health score"]["direction"] == "better"
    assert (rows["Monthly active users"]["before"], rows["Monthly active users"]["now"]) == (
        "20",
        "30",
    )
    kpi = rows["Month-end reporting time"]
    assert (kpi["before"], kpi["now"], kpi["direction"]) == ("30 hours", "30 hours", "same")


def test_health_is_left_out_unless_the_csm_shows_it_to_the_customer(year_of_data: World) -> None:
    account = year_of_data.account
    HealthScore.objects.create(
        account=account, day=date(2025, 12, 31), score=30, band="critical", parts={}
    )
    review = Review.objects.create(
        account=account,
        title="Q4",
        period_start=date(2025, 10, 1),
        period_end=date(2025, 12, 31),
        created_by=year_of_data.csm,
    )
    assert review_inputs(review)["health"] is None
    AccountFacts.objects.create(account=account, customers_see_health=True)
    assert review_inputs(review)["health"]["score"] == 30


# The PDFs ------------------------------------------------------------------------------------


@needs_poppler
def test_the_wrapped_pdf_prints_the_accounts_figures(year_of_data: World, tmp_path: Path) -> None:
    account = year_of_data.account
    WrappedNote.objects.create(
        account=account, year=YEAR, body="Thank you, Acme!", author=year_of_data.csm
    )
    rendered = render_pdf(render_html(wrapped_inputs(account, YEAR, today=date(2026, 3, 1))))
    text = pdf_text(rendered.pdf, tmp_path)
    for printed in (
        "Acme Wrapped 2025",
        "+100%",
        "15 a year earlier",
        "June",
        "500 actions",
        "Dana Daily",
        "eli@acme.example",
        "Month-end reporting time",
        "30 hours",
        "45%",
        "Data sources connected",
        "+33",
        "Thank you, Acme!",
        "Casey CSM",
        "40 actions on 1 day",
    ):
        assert printed in text, printed
    assert "+33.3" not in text  # NPS is a whole number, as on the pages
    assert "Renewal pricing" not in text  # internal objectives never reach the customer
    assert rendered.pages == pdf_pages(rendered.pdf, tmp_path) == 3
    assert fonts_not_embedded(rendered.pdf, tmp_path) == []
    assert rendered.refused == []


@needs_poppler
def test_the_review_pdf_prints_the_period_and_the_csms_words(
    year_of_data: World, tmp_path: Path
) -> None:
    account = year_of_data.account
    AccountFacts.objects.create(account=account, customers_see_health=True)
    HealthScore.objects.create(
        account=account,
        day=date(2025, 12, 31),
        score=64,
        band="at_risk",
        parts={
            "usage": {"score": 40, "weight": 30, "why": "MAU is 30% of seats"},
            "pulse": {"score": 20, "weight": 10, "why": "The CSM's pulse: poor (budget cuts)"},
        },
    )
    review = Review.objects.create(
        account=account,
        title="Q4 2025 business review",
        period_start=date(2025, 10, 1),
        period_end=date(2025, 12, 31),
        summary="Usage grew <b>fast</b> & <script>alert(1)</script> stayed text.",
        risks="Renewal in March.",
        recommendations="Roll out to operations.",
        created_by=year_of_data.csm,
    )
    rendered = render_pdf(render_html(review_inputs(review)))
    text = pdf_text(rendered.pdf, tmp_path)
    for printed in (
        "Q4 2025 business review",
        "Usage grew <b>fast</b> & <script>alert(1)</script> stayed text.",
        "Renewal in March.",
        "Roll out to operations.",
        "Health",
        "64",
        "MAU is 30% of seats",
        "Month-end reporting time",
        "1 October 2025 – 31 December 2025",
    ):
        assert printed in text, printed
    assert "budget cuts" not in text  # the CSM's pulse note is the vendor's own
    assert rendered.pages == pdf_pages(rendered.pdf, tmp_path)
    assert 3 <= rendered.pages <= 6  # cover, summary and objectives, usage, the rest
    assert fonts_not_embedded(rendered.pdf, tmp_path) == []


@needs_poppler
def test_a_huge_paragraph_and_an_empty_period_make_clean_pdfs(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    review = Review.objects.create(
        account=world.account,
        title="Empty quarter",
        period_start=date(2019, 1, 1),
        period_end=date(2019, 3, 31),
        summary=("word " * 3000) + "x" * 5000,  # long text, and one word longer than a page
        created_by=world.csm,
    )
    rendered = render_pdf(render_html(review_inputs(review)))
    text = pdf_text(rendered.pdf, tmp_path)
    assert "Empty quarter" in text
    assert "No risk was raised for this period." in text
    assert rendered.pages >= 3
    empty = render_pdf(render_html(wrapped_inputs(world.account, 2019)))
    assert "There is no activity to sum up for 2019 yet" in pdf_text(empty.pdf, tmp_path)


def test_an_account_logo_is_embedded_and_none_falls_back_to_the_initial(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    assert wrapped_inputs(world.account, 2024)["brand"]["logo"] is None
    html = render_html(wrapped_inputs(world.account, 2024))
    assert 'class="logo-initial">A<' in html
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
        b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89"
        b"\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    world.account.logo.save("acme.png", SimpleUploadedFile("acme.png", png), save=True)
    logo = wrapped_inputs(world.account, 2024)["brand"]["logo"]
    assert logo["type"] == "image/png" and len(logo["sha256"]) == 64  # the bytes stay in storage
    assert 'src="data:image/png;base64,' in render_html(wrapped_inputs(world.account, 2024))
    assert render_pdf(render_html(wrapped_inputs(world.account, 2024))).pages >= 2


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "https://example.com/tracker.png",
        f"{STATIC_BASE}../../portal/settings.py",
        f"{STATIC_BASE}%2e%2e/%2e%2e/portal/settings.py",
        f"{STATIC_BASE}css/report.css?x=1",
        "https://static.portal.invalid.evil.example/css/report.css",
    ],
)
def test_weasyprint_fetches_nothing_but_our_static_files(url: str) -> None:
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_our_static_files_and_data_uris_are_fetched() -> None:
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(f"{STATIC_BASE}css/report.css")
    assert b"@font-face" in css.read()
    assert css.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_text_with_references_to_other_files_fetches_none_of_them(world: World) -> None:
    review = Review(
        account=world.account,
        title='<img src="file:///etc/passwd">',
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        summary='<img src="http://127.0.0.1/x.png"><link rel=stylesheet href="file:///etc/hosts">',
        created_by=world.csm,
    )
    review.save()
    rendered = render_pdf(render_html(review_inputs(review)))
    assert rendered.refused == []  # escaped: never markup, so never fetched


# Making them: versions, idempotency, failures -----------------------------------------------


def test_asking_twice_gives_back_the_same_version_and_changes_make_a_new_one(
    year_of_data: World, django_capture_on_commit_callbacks: Any
) -> None:
    account, csm = year_of_data.account, year_of_data.csm
    with django_capture_on_commit_callbacks(execute=True):
        first, made = services.request_wrapped(account, YEAR, acting_user=csm)
    assert made
    first.refresh_from_db()
    assert first.status == Report.Status.READY and first.version == 1
    stored = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        again, made = services.request_wrapped(account, YEAR, acting_user=year_of_data.executive)
    assert (again.pk, made) == (first.pk, False)
    assert Job.objects.filter(task="reports.render_report").count() == 1
    usage_day(account, date(2025, 12, 30), mau=31, events=1)  # the data changed
    with django_capture_on_commit_callbacks(execute=True):
        second, made = services.request_wrapped(account, YEAR, acting_user=csm)
    second.refresh_from_db()
    assert made and second.version == 2 and second.status == Report.Status.READY
    first.refresh_from_db()
    assert first.file.name == stored and first.file.storage.exists(stored)  # kept


def test_a_task_delivered_twice_renders_once(year_of_data: World, monkeypatch: Any) -> None:
    from reports import tasks

    report, _ = services.request_wrapped(year_of_data.account, YEAR, acting_user=year_of_data.csm)
    calls: list[int] = []
    real = tasks.render_pdf

    def counted(html: str) -> Rendered:
        calls.append(1)
        return real(html)

    monkeypatch.setattr(tasks, "render_pdf", counted)
    tasks.render_report.run(report_id=report.pk)
    tasks.render_report.run(report_id=report.pk)
    assert len(calls) == 1
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.pages == 3


def test_a_failed_render_says_why_keeps_what_was_made_and_can_be_retried(
    year_of_data: World, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from reports import tasks

    account = year_of_data.account
    with django_capture_on_commit_callbacks(execute=True):
        good, _ = services.request_wrapped(account, YEAR, acting_user=year_of_data.csm)
    usage_day(account, date(2025, 12, 29), mau=29, events=1)

    def broken(html: str) -> Any:
        raise ValueError("the layout engine gave up")

    monkeypatch.setattr(tasks, "render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        bad, _ = services.request_wrapped(account, YEAR, acting_user=year_of_data.csm)
    bad.refresh_from_db()
    assert bad.status == Report.Status.FAILED
    assert "the layout engine gave up" in bad.error_text
    good.refresh_from_db()
    assert good.status == Report.Status.READY and good.file.storage.exists(good.file.name)
    page = client_for(year_of_data.csm).get(bad.get_absolute_url())
    assert b"the layout engine gave up" in page.content and b"Try again" in page.content
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(year_of_data.champion).post(
            f"/a/{account.slug}/reports/{bad.pk}/retry/"
        )
    assert response.status_code == 302
    bad.refresh_from_db()
    assert bad.status == Report.Status.READY and bad.error == ""


def test_a_render_over_the_time_limit_is_marked_failed(
    year_of_data: World, monkeypatch: Any
) -> None:
    from reports import tasks

    report, _ = services.request_wrapped(year_of_data.account, YEAR, acting_user=year_of_data.csm)

    def slow(html: str) -> Any:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(tasks, "render_pdf", slow)
    tasks.render_report.run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "longer than" in report.error_text


def test_storage_trouble_is_retried_then_marked_failed(
    year_of_data: World, monkeypatch: Any
) -> None:
    from reports import tasks

    report, _ = services.request_wrapped(year_of_data.account, YEAR, acting_user=year_of_data.csm)
    job = Job.objects.get(task="reports.render_report")

    def full_disk(*args: Any, **kwargs: Any) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr(tasks.default_storage, "save", full_disk)
    # In-process (no broker) a failing job is final at once: the give-up hook marks it failed.
    tasks.render_report.apply(kwargs={"report_id": report.pk, "job_id": str(job.pk)})
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "No space left on device" in report.error_text


# Pages, downloads and batches ------------------------------------------------------------------


def test_a_future_year_is_a_clear_422_and_nothing_is_made(world: World) -> None:
    year = timezone.localdate().year + 1
    response = client_for(world.executive).post("/a/acme/reports/wrapped/", {"year": year})
    assert response.status_code == 422
    assert b"Select a valid choice" in response.content
    response = client_for(world.executive).post("/a/acme/reports/wrapped/", {"year": "soon"})
    assert response.status_code == 422
    assert not Report.objects.exists()


def test_download_is_named_for_the_account_and_logged(
    year_of_data: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = services.request_wrapped(year_of_data.account, YEAR, acting_user=None)
    response = client_for(year_of_data.executive).get(f"/a/acme/reports/{report.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-wrapped-2025.pdf"'
    assert isinstance(response, FileResponse) and response.getvalue().startswith(b"%PDF")
    logged = Activity.objects.get(verb="downloaded")
    assert (logged.actor, logged.account) == (year_of_data.executive, year_of_data.account)


def test_customers_see_published_reviews_and_the_wrapped_only(world: World) -> None:
    from tests.reports_helpers import make_reports_world

    made = make_reports_world(world)
    page = client_for(world.executive).get("/a/acme/reports/").content.decode()
    assert "Q3 2026 business review" in page
    assert "Q4 2026 business review" not in page  # the draft
    assert client_for(world.champion).get(f"/a/acme/reviews/{made['draft'].pk}/").status_code == 404
    vendor = client_for(world.csm).get("/a/acme/reports/").content.decode()
    assert "Q4 2026 business review" in vendor and "Draft, not shared" in vendor
    assert client_for(world.member).get("/a/acme/reports/").status_code == 403


def batch_world(world: World) -> dict[str, Any]:
    """Acme, Bluth and Initech with contracts since 2024 (Initech's executive turned report
    e-mails off); Newco signed on 1 December 2025, 30 days before the 2025 Wrapped ends; and
    Nocon, with no contract at all."""
    third = AccountFactory.create(name="Initech", slug="initech", owner=world.csm)
    quiet = MembershipFactory.create(account=third, role="executive").user
    NotificationSetting.objects.create(user=quiet, kind="reports", delivery="off")
    for account in (world.account, world.other_account, third):
        contract(account, date(2024, 3, 1))
    newco = AccountFactory.create(name="Newco", slug="newco", owner=world.csm)
    contract(newco, date(2025, 12, 1))
    nocon = AccountFactory.create(name="Nocon", slug="nocon", owner=world.csm)
    return {"third": third, "newco": newco, "nocon": nocon}


def test_the_batch_preview_says_who_gets_a_wrapped_and_why_not_and_starts_nothing(
    world: World,
) -> None:
    batch_world(world)
    admin = client_for(world.admin)
    response = admin.get(
        "/console/wrapped/preview/", {"year": "2025", "segment": "", "email_executives": "on"}
    )
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "3 accounts get a Wrapped" in page
    assert "1 executive gets an e-mail" in page  # Acme's; Initech's opted out; Bluth has none
    assert (
        "Newco</a></th><td>Its first contract started 1 December 2025, 30 days before the "
        "Wrapped ends (60 needed).</td>" in page
    )
    assert "Nocon</a></th><td>No contract yet: nothing to sum up.</td>" in page
    assert 'name="accounts" value="3"' in page
    sample = re.search(r'href="(/console/wrapped/preview/sample\.pdf\?[^"]+)"', page)
    assert sample is not None and "Acme" in page  # the first account by name
    pdf = admin.get(sample.group(1).replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # Neither the preview nor its sample made anything the customer could see.
    assert not WrappedBatch.objects.exists() and not Report.objects.exists()
    assert not Job.objects.exclude(task__startswith="playbooks.").exists()  # but the setup's events
    # The sample of an account the batch skips is refused.
    newco = Account.objects.get(slug="newco")
    skipped = admin.get("/console/wrapped/preview/sample.pdf", {"year": 2025, "account": newco.pk})
    assert skipped.status_code == 404


def test_the_minimum_contract_age_is_a_setting(world: World, settings: Any) -> None:
    batch_world(world)
    settings.WRAPPED_MIN_CONTRACT_DAYS = 30
    plan = services.plan_batch(year=2025, segment="")
    assert plan.total == 4 and [s.name for s in plan.skipped] == ["Nocon"]
    settings.WRAPPED_MIN_CONTRACT_DAYS = 31
    assert services.plan_batch(year=2025, segment="").total == 3


def test_a_confirmed_batch_makes_every_due_accounts_wrapped_and_emails_executives_once(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    batch_world(world)
    confirm = {"year": 2025, "segment": "", "email_executives": "on", "accounts": 3}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post("/console/wrapped/", confirm)
    assert response.status_code == 302
    items = BatchItem.objects.select_related("report", "account")
    assert sorted(i.account.slug for i in items) == ["acme", "bluth", "initech"]
    assert {i.report.status for i in items} == {Report.Status.READY}
    batch = WrappedBatch.objects.get()
    assert [s["name"] for s in batch.skipped] == ["Newco", "Nocon"]
    progress = services.progress(batch)
    assert (progress.total, progress.ready, progress.percent, progress.done) == (3, 3, 100, True)
    assert [m.to for m in mail.outbox] == [[world.executive.email]]  # Acme's; Initech's opted out
    assert "Wrapped is ready" in mail.outbox[0].subject
    page = client_for(world.admin).get(f"/console/wrapped/{batch.pk}/").content.decode()
    assert "3 of 3 done (100%)" in page
    assert "Skipped" in page and "No contract yet" in page and "30 days before" in page
    fragment = client_for(world.admin).get(f"/console/wrapped/{batch.pk}/", HTTP_HX_REQUEST="true")
    assert b'id="batch-progress"' in fragment.content and b"<html" not in fragment.content
    # Run again: the same figures give back the same files, no new version.
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.admin).post("/console/wrapped/", confirm)
    assert Report.objects.count() == 3


def test_a_batch_starts_only_from_a_preview_that_is_still_true(world: World) -> None:
    batch_world(world)
    admin = client_for(world.admin)

    def nothing_made() -> None:
        assert not WrappedBatch.objects.exists() and not Report.objects.exists()
        assert not Job.objects.exclude(task__startswith="playbooks.").exists()  # setup's events

    unconfirmed = admin.post("/console/wrapped/", {"year": 2025, "segment": ""})
    assert unconfirmed.status_code == 422
    assert b"Check the preview first" in unconfirmed.content
    nothing_made()
    # An account signed long ago was added since the preview showed three.
    contract(Account.objects.get(slug="nocon"), date(2023, 1, 1))
    stale = admin.post("/console/wrapped/", {"year": 2025, "segment": "", "accounts": 3})
    assert stale.status_code == 409
    assert b"The accounts changed since your preview: 4 accounts get a Wrapped now" in (
        stale.content
    )
    assert b'name="accounts" value="4"' in stale.content
    nothing_made()


def test_the_csm_writes_publishes_and_the_executive_gets_the_pdf(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
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
    with django_capture_on_commit_callbacks(execute=True):
        csm.post(f"/a/acme/reviews/{review.pk}/publish/", {"publish": "1"})
    report = Report.objects.get(review=review)
    assert report.status == Report.Status.READY and report.filename == "acme-qbr-2026-q3.pdf"
    archive = client_for(world.executive).get("/a/acme/reports/").content.decode()
    assert f"/a/acme/reports/{report.pk}/download/" in archive


def test_bad_review_input_is_a_clear_422_and_nothing_is_saved(world: World) -> None:
    response = client_for(world.csm).post(
        "/a/acme/reviews/new/",
        {
            "title": "Backwards",
            "kind": "qbr",
            "period_start": "2026-09-30",
            "period_end": "2026-07-01",
        },
    )
    assert response.status_code == 422
    assert b"must end on or after" in response.content
    assert not Review.objects.exists()
    next_year = timezone.localdate() + timedelta(days=400)
    response = client_for(world.csm).post(
        "/a/acme/reviews/new/",
        {"title": "Later", "kind": "qbr", "period_start": next_year, "period_end": next_year},
    )
    assert response.status_code == 422 and b"has not started yet" in response.content


def test_the_status_fragment_polls_until_ready(world: World) -> None:
    from tests.reports_helpers import make_reports_world

    made = make_reports_world(world)
    report = made["ready"]
    Report.objects.filter(pk=report.pk).update(status=Report.Status.QUEUED)
    fragment = client_for(world.executive).get(report.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert b'hx-trigger="load delay:1500ms"' in fragment.content
    assert b"<html" not in fragment.content
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY)
    fragment = client_for(world.executive).get(report.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert (
        b"hx-trigger" not in fragment.content
        and b"Download acme-qbr-2026-q3.pdf" in fragment.content
    )


@pytest.mark.worker
@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (TEST_CELERY_BROKER_URL)")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_pdf_the_page_polls_for(
    world: World, settings: Any, tmp_path: Path
) -> None:
    """Through Redis and a Celery worker: the request answers at once with the version queued;
    the worker renders it; the status fragment then offers the download."""
    from tests.test_jobs import wait_for

    settings.MEDIA_ROOT = tmp_path
    usage_day(world.account, date(2025, 6, 1), mau=12, events=40)
    client = client_for(world.executive)
    with real_worker():
        response = client.post("/a/acme/reports/wrapped/", {"year": 2025})
        assert response.status_code == 302
        report = Report.objects.get()
        wait_for(lambda: Report.objects.get(pk=report.pk).status == Report.Status.READY, 60)
    report.refresh_from_db()
    assert report.pages == 2 and report.file.storage.exists(report.file.name)
    assert Job.objects.get(task="reports.render_report").status == Job.Status.DONE
    fragment = client.get(report.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert b"Download acme-wrapped-2025.pdf" in fragment.content


@pytest.mark.parametrize("persona", ["executive", "csm"])
def test_the_archive_runs_the_same_queries_for_two_reviews_and_for_forty(
    world: World, persona: str
) -> None:
    from tests.queries import page_queries
    from tests.reports_helpers import stand_in_version

    def add_reviews(count: int) -> None:
        for n in range(count):
            review = Review.objects.create(
                account=world.account,
                title=f"Review {n}",
                period_start=date(2024, 1, 1) + timedelta(days=n),
                period_end=date(2024, 3, 31) + timedelta(days=n),
                created_by=world.csm,
                published_at=timezone.now(),
            )
            stand_in_version(review)
            stand_in_version(review, version=2, status=Report.Status.FAILED)

    client = client_for(world.persona(persona))

    def queries() -> int:
        return page_queries(client, "/a/acme/reports/")

    add_reviews(2)
    few = queries()
    add_reviews(38)
    assert queries() == few


def test_a_drafts_pdf_never_reaches_the_customer(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    csm = world.csm
    review = Review.objects.create(
        account=world.account,
        title="Q3 2025 business review",
        period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30),
        summary="DRAFT: they might leave",
        created_by=csm,
    )
    with django_capture_on_commit_callbacks(execute=True):
        draft, _ = services.request_review(review, acting_user=csm)
        review.summary = "A steady quarter."
        review.published_at = timezone.now()
        review.save()
        published, made = services.request_review(review, acting_user=csm)
    assert made and published.version == 2
    executive = client_for(world.executive)
    assert executive.get(f"/a/acme/reports/{draft.pk}/download/").status_code == 404
    download = executive.get(f"/a/acme/reports/{published.pk}/download/")
    assert download.status_code == 200
    assert isinstance(download, FileResponse) and download.getvalue().startswith(b"%PDF")
    page = executive.get(f"/a/acme/reviews/{review.pk}/").content.decode()
    assert f"/reports/{draft.pk}/" not in page and f"/reports/{published.pk}/" in page


def test_figures_that_change_back_make_a_new_version_not_an_old_one(
    year_of_data: World, django_capture_on_commit_callbacks: Any
) -> None:
    account, csm = year_of_data.account, year_of_data.csm
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = services.request_wrapped(account, YEAR, acting_user=csm)
        extra = UsageDay.objects.create(
            account=account,
            day=date(2025, 12, 30),
            active_users=1,
            weekly_active_users=1,
            monthly_active_users=31,
            events=1,
        )
        second, _ = services.request_wrapped(account, YEAR, acting_user=csm)
        extra.delete()  # back to the first figures
        third, made = services.request_wrapped(account, YEAR, acting_user=csm)
    assert made and [first.version, second.version, third.version] == [1, 2, 3]
    assert third.fingerprint == first.fingerprint
    [document] = services.archive(account, customer=True)
    assert document.latest is not None and document.latest.pk == third.pk


def test_a_lost_file_or_a_lost_worker_is_made_again_when_asked(
    year_of_data: World, django_capture_on_commit_callbacks: Any
) -> None:
    account, csm = year_of_data.account, year_of_data.csm
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = services.request_wrapped(account, YEAR, acting_user=csm)
    report.refresh_from_db()
    report.file.storage.delete(report.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        again, made = services.request_wrapped(account, YEAR, acting_user=csm)
    again.refresh_from_db()
    assert (again.pk, made, again.status) == (report.pk, False, Report.Status.READY)
    assert again.file.storage.exists(again.file.name)
    # A worker that died mid-render leaves the version "rendering": shown as stopped, and
    # asking again (or "Try again") renders it.
    long_ago = timezone.now() - timedelta(hours=1)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RENDERING, started_at=long_ago)
    page = client_for(year_of_data.executive).get(report.get_absolute_url()).content.decode()
    assert "stopped before it was done" in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        services.request_wrapped(account, YEAR, acting_user=csm)
    report.refresh_from_db()
    assert report.status == Report.Status.READY


def test_customers_get_a_plain_message_for_a_failed_pdf_and_the_csm_the_reason(
    world: World,
) -> None:
    from tests.reports_helpers import make_reports_world

    report = make_reports_world(world)["ready"]
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.FAILED, error="StopIteration: internal detail"
    )
    customer = client_for(world.executive).get(report.get_absolute_url()).content.decode()
    assert "internal detail" not in customer and "Something went wrong" in customer
    vendor = client_for(world.csm).get(report.get_absolute_url()).content.decode()
    assert "StopIteration: internal detail" in vendor


def test_kpi_targets_leap_years_and_milestones_not_yet_due(world: World) -> None:
    from insights.figures.revenue import year_before
    from reports.figures import milestones
    from successplans.figures import kpi_met, kpi_progress

    assert kpi_progress(Decimal(0), Decimal(1000), Decimal(996)) == 99
    assert not kpi_met(Decimal(0), Decimal(1000), Decimal(996))
    assert kpi_met(Decimal(48), Decimal(8), Decimal(8))
    assert not kpi_met(Decimal(48), Decimal(8), Decimal(9))
    assert year_before(date(2024, 12, 31)) == date(2023, 12, 31)
    assert year_before(date(2024, 2, 29)) == date(2023, 2, 28)
    today = timezone.localdate()
    plan = SuccessPlan.objects.create(
        account=world.account,
        name="Running",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=60),
        created_by=world.csm,
    )
    for title, due in (
        ("Late", today - timedelta(days=3)),
        ("Next week", today + timedelta(days=7)),
    ):
        Milestone.objects.create(plan=plan, title=title, target_date=due)
    period = milestones(world.account, today - timedelta(days=30), today + timedelta(days=30))
    assert [m["title"] for m in period["missed"]] == ["Late"]


def test_a_review_before_2000_is_refused(world: World) -> None:
    response = client_for(world.csm).post(
        "/a/acme/reviews/new/",
        {
            "title": "Ancient",
            "kind": "qbr",
            "period_start": "0001-01-01",
            "period_end": "0001-01-10",
        },
    )
    assert response.status_code == 422 and b"from 2000 on" in response.content


def test_one_accounts_failure_does_not_stall_a_batch_and_a_failed_email_is_sent_again(
    world: World, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    real = services.wrapped_data

    def flaky(account: Any, year: int, **kwargs: Any) -> Any:
        if account.slug == "bluth":
            raise RuntimeError("bad data")
        return real(account, year, **kwargs)

    monkeypatch.setattr(services, "wrapped_data", flaky)
    contract(world.account, date(2020, 1, 1))
    contract(world.other_account, date(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_batch(
            year=2025, segment="", email_executives=True, acting_user=world.admin
        )
    batch.refresh_from_db()
    progress = services.progress(batch)
    assert (progress.total, progress.ready, progress.done) == (1, 1, True)
    assert len(mail.outbox) == 1
    # A send that fails leaves the item to be sent by the job's retry.
    item = BatchItem.objects.get()
    BatchItem.objects.filter(pk=item.pk).update(emailed_at=None)

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("mail server down")

    import portal.mail

    monkeypatch.setattr(portal.mail, "send_mail_from_templates", down)
    with pytest.raises(ConnectionRefusedError):
        services.email_wrapped(item.pk)
    item.refresh_from_db()
    assert item.emailed_at is None


def test_a_batch_finishes_when_an_account_is_deleted_meanwhile(world: World) -> None:
    from reports.models import WrappedBatch

    batch = WrappedBatch.objects.create(year=2025, created_by=world.admin, total=2)
    report, _ = services.request_wrapped(world.account, 2025, acting_user=None)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY)
    BatchItem.objects.create(batch=batch, account=world.account, report=report)
    assert services.progress(batch).done is False
    world.other_account.delete()
    assert services.progress(batch).done is True


# Publishing a review tells its readers ---------------------------------------------------------


def test_publishing_a_review_emails_its_executives_and_champions_once_per_publication(
    world: World, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    quiet = MembershipFactory.create(account=world.account, role="executive").user
    NotificationSetting.objects.create(user=quiet, kind="reports", delivery="off")
    gone = MembershipFactory.create(account=world.account, role="champion").user
    gone.is_active = False
    gone.save()
    review = Review.objects.create(
        account=world.account,
        title="Q3 2026 business review",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        created_by=world.csm,
    )
    csm = client_for(world.csm)
    url = f"/a/acme/reviews/{review.pk}/publish/"
    with django_capture_on_commit_callbacks(execute=True):
        assert csm.post(url, {"publish": "1"}).status_code == 302
    readers = sorted(m.to[0] for m in mail.outbox)
    assert readers == sorted([world.champion.email, world.executive.email])
    everyone_else = {world.member, world.csm, world.admin, world.other_champion, quiet, gone}
    assert not {u.email for u in everyone_else} & set(readers)
    message = mail.outbox[0]
    assert message.subject == "Acme: Q3 2026 business review is ready"
    link = f"{settings.SITE_URL}/a/acme/reviews/{review.pk}/"
    assert link in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html, kind = message.alternatives[0]
    assert kind == "text/html" and isinstance(html, str) and f'href="{link}"' in html
    # Publishing again (a double click) is no new publication: nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        csm.post(url, {"publish": "1"})
    assert len(mail.outbox) == 2
    # Unpublished, then published again: a new publication, told once more.
    with django_capture_on_commit_callbacks(execute=True):
        csm.post(url, {"publish": "0"})
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        csm.post(url, {"publish": "1"})
    assert len(mail.outbox) == 4
    # Every reader is told in the inbox, each publication: the one with report e-mails off too.
    assert Job.objects.filter(task="reports.email_review_ready", status="done").count() == 6
    assert Notification.objects.filter(user=quiet, kind="reports").count() == 2


def test_a_review_ready_email_is_not_sent_for_a_publication_taken_back(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    review = Review.objects.create(
        account=world.account,
        title="Q3",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        created_by=world.csm,
    )
    services.publish_review(review, acting_user=world.csm)  # its jobs wait for the commit
    jobs = list(Job.objects.filter(task="reports.email_review_ready"))
    assert len(jobs) == 2
    published_at = jobs[0].kwargs["published_at"]
    json.loads(json.dumps(jobs[0].kwargs))  # the payload survives the broker
    services.unpublish_review(review, acting_user=world.csm)
    for job in jobs:
        assert services.email_review_ready(**job.kwargs) is False
    assert mail.outbox == []
    review.refresh_from_db()
    assert review.published_at is None and published_at


# Bad input is a clear 4xx, never a 500 --------------------------------------------------------

HUGE = "99999999999999999999"


JUNK = [
    # (who, method, path, data, expected status); {review} / {ready} / {bluth} are filled in.
    ("executive", "post", "/a/acme/reports/wrapped/", {"year": "abc"}, 422),
    ("executive", "post", "/a/acme/reports/wrapped/", {"year": HUGE}, 422),
    ("executive", "post", "/a/acme/reports/wrapped/", {"year": "1999"}, 422),
    ("executive", "get", f"/a/acme/reports/{HUGE}/", {}, 404),
    ("executive", "get", f"/a/acme/reports/{HUGE}/download/", {}, 404),
    ("executive", "post", "/a/acme/reports/{ready}/retry/", {}, 422),
    ("csm", "get", "/a/acme/reports/wrapped/99999/note/", {}, 404),
    ("csm", "get", f"/a/acme/reports/wrapped/{HUGE}/note/", {}, 404),
    ("csm", "get", f"/a/acme/reviews/{HUGE}/", {}, 404),
    ("csm", "post", f"/a/acme/reviews/{HUGE}/publish/", {"publish": "1"}, 404),
    ("csm", "post", "/a/acme/reviews/{review}/publish/", {"publish": "abc"}, 422),
    ("csm", "post", "/a/acme/reviews/{review}/publish/", {}, 422),
    ("csm", "post", "/a/acme/reviews/new/", {"title": "X", "kind": "qbr", "period_start": "abc", "period_end": "2026-01-01"}, 422),
    ("csm", "post", "/a/acme/reviews/new/", {"title": "X", "kind": "zzz", "period_start": "99999-01-01", "period_end": "2026-01-01"}, 422),
    ("csm", "post", "/a/acme/reviews/{review}/edit/", {"title": "X", "kind": "qbr", "period_start": "2026-13-45", "period_end": "2026-01-01"}, 422),
    ("admin", "get", "/console/wrapped/preview/?year=abc", {}, 422),
    ("admin", "get", "/console/wrapped/preview/?year=1999", {}, 422),
    ("admin", "get", f"/console/wrapped/preview/?year={HUGE}", {}, 422),
    ("admin", "get", "/console/wrapped/preview/?year=2025&segment=zzz", {}, 422),
    ("admin", "get", "/console/wrapped/preview/sample.pdf?year=abc", {}, 404),
    ("admin", "get", "/console/wrapped/preview/sample.pdf?year=2025&account=abc", {}, 404),
    ("admin", "get", f"/console/wrapped/preview/sample.pdf?year=2025&account={HUGE}", {}, 404),
    ("admin", "get", "/console/wrapped/preview/sample.pdf?year=2025&account={bluth}", {}, 404),
    ("admin", "get", f"/console/wrapped/{HUGE}/", {}, 404),
    ("admin", "post", "/console/wrapped/", {"year": "abc", "segment": "", "accounts": "1"}, 422),
    ("admin", "post", "/console/wrapped/", {"year": "2025", "segment": "", "accounts": "abc"}, 422),
    ("admin", "post", "/console/wrapped/", {"year": "2025", "segment": "", "accounts": "-1"}, 422),
]  # fmt: skip


@pytest.mark.parametrize(("who", "method", "path", "data", "status"), JUNK)
def test_junk_ids_years_and_periods_are_a_4xx_and_change_nothing(
    world: World, who: str, method: str, path: str, data: dict[str, Any], status: int
) -> None:
    from tests.reports_helpers import make_reports_world, reports_db_state

    made = make_reports_world(world)  # Acme has a contract; Bluth has none
    path = path.format(
        review=made["draft"].pk, ready=made["ready"].pk, bluth=world.other_account.pk
    )
    client = client_for(world.persona(who))  # a first log-in may queue its own job
    before = (reports_db_state(), Activity.objects.count(), Job.objects.count())
    response = getattr(client, method)(path, data)
    assert response.status_code == status, response.content[:300]
    assert (reports_db_state(), Activity.objects.count(), Job.objects.count()) == before


def test_an_htmx_refusal_is_a_422_with_its_message_in_the_notice(world: World) -> None:
    from tests.reports_helpers import make_reports_world

    ready = make_reports_world(world)["ready"]
    response = client_for(world.executive).post(
        f"/a/acme/reports/{ready.pk}/retry/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#notice"
    assert b"has not failed" in response.content and b"<html" not in response.content


# Figures read as on the pages ------------------------------------------------------------------


def test_kpi_figures_carry_their_currency_or_unit_and_no_trailing_zeros(settings: Any) -> None:
    from portal.formatting import measure, measure_change

    settings.CURRENCY = "EUR"
    assert measure(Decimal("198000.00"), "EUR") == "€198,000"
    assert measure(Decimal("0.00"), "€") == "€0"  # never "0.00" beside "€198,000"
    assert measure(Decimal("166.67"), "eur") == "€166.67"
    assert measure(Decimal("12.50"), "hours") == "12.5 hours"
    assert measure(Decimal("45.00"), "%") == "45%"
    assert measure(Decimal("1234.00"), "") == "1,234"
    assert measure(None, "EUR") is None
    assert measure_change(Decimal("48000.00"), "EUR") == "+€48,000"
    assert measure_change(Decimal("-2.50"), "hours") == "\u22122.5"
    assert measure_change(Decimal("0"), "EUR") == "€0"
    settings.CURRENCY = "USD"
    assert measure(Decimal("5"), "$") == "$5"


def test_counts_are_said_with_their_plurals() -> None:
    from reports.figures import _answers, actions
    from reports.words import worded

    assert worded([actions(1), actions(2588)]) == ["1 action", "2,588 actions"]
    assert worded([_answers(1), _answers(3)]) == ["from 1 answer", "from 3 answers"]
    with translation.override("de"):
        assert worded(actions(2588)) == "2.588 Aktionen"


def test_what_changed_prints_money_kpis_with_their_currency(world: World) -> None:
    plan = SuccessPlan.objects.create(
        account=world.account,
        name="2025 plan",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
        created_by=world.csm,
    )
    objective = Objective.objects.create(plan=plan, title="Grow the pipeline")
    kpi = KPI.objects.create(
        objective=objective, name="Pipeline", unit="EUR", baseline=0, target=Decimal(250_000)
    )
    KPIValue.objects.create(kpi=kpi, value=Decimal(150_000), recorded_at=aware(date(2025, 6, 1)))
    KPIValue.objects.create(kpi=kpi, value=Decimal(198_000), recorded_at=aware(date(2025, 11, 1)))
    for title, start, end, published in (
        ("Q2", date(2025, 4, 1), date(2025, 6, 30), timezone.now()),
        ("Q4", date(2025, 10, 1), date(2025, 12, 31), None),
    ):
        Review.objects.create(
            account=world.account,
            title=title,
            period_start=start,
            period_end=end,
            created_by=world.csm,
            published_at=published,
        )
    [row] = review_inputs(Review.objects.get(title="Q4"))["changes"]["rows"]
    assert (row["before"], row["now"], row["change"]) == ("€150,000", "€198,000", "+€48,000")


@needs_poppler
def test_one_answer_and_one_person_read_in_the_singular(world: World, tmp_path: Path) -> None:
    answer(world.account, world.champion, Kind.NPS, 10, date(2025, 9, 1))
    review = Review.objects.create(
        account=world.account,
        title="Q3 2025 business review",
        period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30),
        created_by=world.csm,
    )
    text = pdf_text(render_pdf(render_html(review_inputs(review))).pdf, tmp_path)
    assert "1 person answered 1 survey question in the period." in text
    assert "from 1 answer" in text and "+100" in text
    assert "1 people" not in text and "1 answers" not in text


# Tagged, titled PDFs ---------------------------------------------------------------------------


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams hold the catalog) inflated."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


@needs_poppler
@pytest.mark.parametrize("kind", ["wrapped", "review"])
def test_the_pdfs_are_tagged_and_show_their_title(
    year_of_data: World, tmp_path: Path, kind: str
) -> None:
    account = year_of_data.account
    if kind == "wrapped":
        inputs, title = wrapped_inputs(account, YEAR, today=date(2026, 3, 1)), "Acme Wrapped 2025"
    else:
        review = Review.objects.create(
            account=account,
            title="Q4 2025 business review",
            period_start=date(2025, 10, 1),
            period_end=date(2025, 12, 31),
            created_by=year_of_data.csm,
        )
        inputs, title = review_inputs(review), "Q4 2025 business review – Acme"
    pdf = render_pdf(render_html(inputs)).pdf
    raw = inflated(pdf)
    assert b"/StructTreeRoot" in raw
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", raw)
    assert re.search(rb"/DisplayDocTitle\s+true", raw)
    path = tmp_path / "tagged.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.MULTILINE)
    assert re.search(rf"^Title:\s+{re.escape(title)}$", info.stdout, re.MULTILINE)
    structure = subprocess.run(
        ["pdfinfo", "-struct", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "H1" in structure and "H2" in structure and "Table" in structure


# Headings keep with what follows ---------------------------------------------------------------

HEADINGS = {
    "Since the last review", "Executive summary", "Objectives and KPIs", "Milestones reached",
    "Usage and adoption", "Health", "What your team told us", "Risks",
    "Milestones not reached in time", "What holds the health score down", "The next period",
    "Recommendations", "Milestones ahead", "Open action items", "Onboarding",
    "Your year in numbers", "Milestones and outcomes", "Success plan outcomes", "Your voice",
}  # fmt: skip


INTROS = ("Until ", "What moved since", "1 person answered", "2 people answered")


def page_ends(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """The last two lines of text on each page, above its footer."""
    path = tmp_path / "ends.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    ends = []
    for page in text.split("\f")[1:-1]:  # the cover has no footer; the last split is empty
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not re.match(r"^(Page \d+ of \d+|Acme · )", line)]
        ends.append((body[-2] if len(body) > 1 else "", body[-1] if body else ""))
    return ends


@needs_poppler
def test_no_page_ends_with_a_heading(year_of_data: World, tmp_path: Path) -> None:
    """Risks of growing length push each later heading in turn towards a page's foot."""
    account = year_of_data.account
    AccountFacts.objects.create(account=account, customers_see_health=True)
    HealthScore.objects.create(
        account=account,
        day=date(2025, 12, 31),
        score=64,
        band="at_risk",
        parts={"usage": {"score": 40, "weight": 30, "why": "MAU is 30% of seats"}},
    )
    for lines in range(2, 50, 2):
        review = Review.objects.create(
            account=account,
            title="Q4 2025 business review",
            period_start=date(2025, 10, 1),
            period_end=date(2025, 12, 31),
            summary="\n\n".join(f"Paragraph {n} of the summary." for n in range(lines)),
            risks="\n\n".join(f"Risk number {n}." for n in range(lines)),
            recommendations="Roll out to operations.",
            created_by=year_of_data.csm,
        )
        ends = page_ends(render_pdf(render_html(review_inputs(review))).pdf, tmp_path)
        # A heading last on its page, or a heading and the one line introducing what follows.
        stranded = [
            (before, last)
            for before, last in ends
            if last in HEADINGS or (before in HEADINGS and last.startswith(INTROS))
        ]
        assert not stranded, (lines, ends)


@needs_poppler
def test_the_wrapped_closing_line_never_sits_alone_on_a_last_page(
    year_of_data: World, tmp_path: Path
) -> None:
    account = year_of_data.account
    note = WrappedNote.objects.create(account=account, year=YEAR, body="", author=year_of_data.csm)
    for lines in range(0, 24, 2):
        note.body = "\n\n".join(f"Line {n} of the note." for n in range(lines))
        note.save()
        pdf = render_pdf(render_html(wrapped_inputs(account, YEAR, today=date(2026, 3, 1)))).pdf
        path = tmp_path / "closing.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        last = [
            line.strip()
            for line in text.split("\f")[-2].splitlines()
            if line.strip() and not re.match(r"^(Page \d+ of \d+|Acme · )", line.strip())
        ]
        assert len(last) > 1, (lines, last)  # more than "Thank you for a great year…"
