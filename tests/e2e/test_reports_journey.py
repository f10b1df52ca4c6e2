"""Business reviews and the year-end Wrapped in the browser: an executive asks for a published
review's PDF, waits for it and downloads it; a CSM writes a review, makes its PDF and publishes
it, and the champion (told by e-mail) finds it ready to download; the CS admin previews, then
makes every account's Wrapped; and a PDF page that is still waiting for its job updates by
itself once the job has run.

No broker is configured in the tests, so a rendering job runs in-process once the request that
asked for it commits: the PDF is usually ready when the browser lands on its page, and the
page's htmx polling (every 1.5 s) covers the rest.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Activity
from reports.figures import fingerprint, review_inputs
from reports.models import BatchItem, Report, Review, WrappedBatch
from reports.tasks import render_report
from tests.conftest import World
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory
from tests.reports_helpers import contract

REVIEW_TITLE = "Q3 2026 business review"
PERIOD = (date(2026, 7, 1), date(2026, 9, 30))
FILENAME = "acme-qbr-2026-q3.pdf"
# A PDF renders in about a second; generous, for a slow machine.
READY_TIMEOUT_MS = 30_000


@pytest.fixture
def reports_world(world: World, settings: Any, tmp_path: Path) -> World:
    """The tests' personas (Acme owned by the CSM, and Bluth), staff logging in without a
    second factor, and the PDFs written under tmp_path rather than var/media."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    for account in (world.account, world.other_account):  # both due a Wrapped
        contract(account, date(2024, 1, 1))
    return world


def screenshot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of the shot
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def open_archive(page: Page, live_server: LiveServer, world: World, *, vendor: bool) -> None:
    """From the account's overview through its "Reviews" link: in the main navigation for
    customers, in the account's own navigation for the vendor's staff."""
    account = world.account
    page.goto(f"{live_server.url}/a/{account.slug}/")
    nav = page.get_by_role("navigation", name=account.name if vendor else "Main")
    nav.get_by_role("link", name="Reviews", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/a/{account.slug}/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews and Wrapped")


def document_row(page: Page, title: str) -> Locator:
    """The archive's entry for one review or Wrapped."""
    documents = page.get_by_role("region", name=re.compile(r"^Documents"))
    return documents.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


def flash(page: Page) -> Locator:
    return page.get_by_role("status").filter(has=page.locator(".message"))


def wait_until_ready(page: Page, live_server: LiveServer, report: Report) -> Locator:
    """On the page of one PDF version: wait for it to be ready; its download link."""
    expect(page).to_have_url(f"{live_server.url}{report.get_absolute_url()}")
    status = page.locator(f"#report-status-{report.pk}")
    link = status.get_by_role("link", name=f"Download {report.filename}", exact=True)
    expect(link).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(status).to_contain_text("Ready")
    expect(status.get_by_role("progressbar")).to_have_count(0)
    return link


def published_review(world: World) -> Review:
    """Acme's Q3 2026 review, written and published by the CSM, without a PDF yet."""
    review = Review.objects.create(
        account=world.account,
        title=REVIEW_TITLE,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        summary="A strong quarter: month-end reporting went from two days to four hours.",
        risks="Two of the five finance analysts have not logged in since August.",
        recommendations="Train the regional finance teams in October.",
        created_by=world.csm,
        published_at=timezone.now(),
    )
    assert not Report.objects.exists()
    return review


def the_version(review: Review) -> Report:
    """The review's one PDF version (asking again with nothing changed makes none)."""
    versions = list(Report.objects.filter(review=review))
    assert len(versions) == 1, f"expected one version of {review}, found {versions}"
    return versions[0]


def test_an_executive_requests_a_review_waits_for_it_and_downloads_it(
    page: Page, live_server: LiveServer, reports_world: World, tmp_path: Path
) -> None:
    world = reports_world
    review = published_review(world)

    # The archive lists the published review, without a PDF yet.
    login(page, live_server, world.executive.email, PASSWORD)
    open_archive(page, live_server, world, vendor=False)
    row = document_row(page, REVIEW_TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Quarterly business review")
    expect(row).to_contain_text("1 Jul 2026 – 30 Sep 2026")
    expect(row.get_by_role("link", name="Download PDF")).to_have_count(0)
    # Each button names its document, for a screen reader going through a list of them.
    prepare = row.get_by_role("button", name=f"Prepare the PDF of {REVIEW_TITLE}", exact=True)
    expect(prepare).to_be_visible()
    expect(page.get_by_role("complementary", name="Year-end Wrapped")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "reports_executive_archive")

    # Asking for it leads to the page of the new version, which is soon ready.
    prepare.click()
    expect(page).to_have_url(re.compile(rf"/a/{world.account.slug}/reports/\d+/$"))
    report = the_version(review)
    assert report.version == 1 and report.requested_by == world.executive
    assert report.filename == FILENAME
    expect(page.get_by_role("heading", level=1)).to_have_text(REVIEW_TITLE)
    download_link = wait_until_ready(page, live_server, report)
    expect(download_link).to_have_attribute("download", "")
    assert_accessible(page)
    screenshot(page, "reports_pdf_ready")

    # The download: the account's file name, and a PDF.
    with page.expect_download() as downloading:
        download_link.click()
    download = downloading.value
    assert download.failure() is None
    assert download.suggested_filename == FILENAME
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF"), pdf[:20]
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.size == len(pdf)

    # Both the request and the download are in the account's activity log.
    logged = Activity.objects.filter(account=world.account, actor=world.executive)
    assert logged.filter(verb="asked for a PDF of", target_id=str(report.pk)).count() == 1
    downloaded = logged.filter(verb="downloaded")
    assert downloaded.count() == 1
    assert downloaded.get().target_id == str(report.pk)
    assert not downloaded.get().internal

    # Back in the archive the review now offers its PDF.
    open_archive(page, live_server, world, vendor=False)
    row = document_row(page, REVIEW_TITLE)
    link = row.get_by_role("link", name=f"Download PDF of {REVIEW_TITLE}", exact=True)
    expect(link).to_have_attribute("href", f"/a/{world.account.slug}/reports/{report.pk}/download/")
    expect(row.get_by_role("button", name="Prepare the PDF")).to_have_count(0)
    expect(row).to_contain_text("Version 1")
    screenshot(page, "reports_executive_archive_after")


def test_a_csm_writes_and_publishes_a_review_and_the_champion_downloads_it(
    page: Page, live_server: LiveServer, reports_world: World, mailoutbox: list[EmailMessage]
) -> None:
    world = reports_world
    slug = world.account.slug

    # The CSM writes the review.
    login(page, live_server, world.csm.email, PASSWORD)
    open_archive(page, live_server, world, vendor=True)
    page.get_by_role("link", name="New business review", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/a/{slug}/reviews/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New business review")
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill(REVIEW_TITLE)
    page.get_by_label("Kind", exact=True).select_option(label="Quarterly business review")
    page.get_by_label("From", exact=True).fill(PERIOD[0].isoformat())
    page.get_by_label("To", exact=True).fill(PERIOD[1].isoformat())
    page.get_by_label("Executive summary").fill(
        "A strong quarter: month-end reporting went from two days to four hours."
    )
    page.get_by_label(re.compile(r"^Risks")).fill("Renewal talks start before the budget is set.")
    page.get_by_label(re.compile(r"^Recommendations")).fill(
        "Roll the dashboards out to the regional teams."
    )
    page.get_by_role("button", name="Save the review").click()

    expect(page).to_have_url(re.compile(rf"/a/{slug}/reviews/\d+/$"))
    review = Review.objects.get()
    assert (review.title, review.kind, review.created_by) == (REVIEW_TITLE, "qbr", world.csm)
    assert (review.period_start, review.period_end) == PERIOD and not review.is_published
    expect(page).to_have_url(f"{live_server.url}{review.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(REVIEW_TITLE)
    expect(flash(page)).to_contain_text("Review saved")
    expect(page.get_by_text("Draft: Acme does not see it")).to_be_visible()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Publish to Acme", exact=True)).to_be_visible()
    expect(page.get_by_role("complementary", name=re.compile(r"^PDF versions"))).to_contain_text(
        "No PDF yet"
    )
    assert_accessible(page)
    screenshot(page, "reports_csm_review")

    # The CSM makes the PDF to check it, and waits for it.
    page.get_by_role("button", name="Make the PDF", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/a/{slug}/reports/\d+/$"))
    report = the_version(review)
    assert report.filename == FILENAME
    wait_until_ready(page, live_server, report)
    assert_accessible(page)

    # Back to the review, which lists the version, and published.
    page.get_by_role("link", name="Back to the review", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{review.get_absolute_url()}")
    versions = page.get_by_role("complementary", name=re.compile(r"^PDF versions"))
    expect(
        versions.get_by_role("link", name=re.compile(r"^Version 1\b.*download the PDF"))
    ).to_have_attribute("href", f"/a/{slug}/reports/{report.pk}/download/")
    page.get_by_role("button", name="Publish to Acme", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{review.get_absolute_url()}")
    expect(flash(page)).to_contain_text("Published")
    expect(page.get_by_role("button", name="Unpublish", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Published \d"))).to_be_visible()
    review.refresh_from_db()
    assert review.is_published
    report = the_version(review)  # nothing changed: publishing made no second version
    assert report.status == Report.Status.READY
    # The account's executive and champion are told, each once; the member is not.
    told = sorted(m.to[0] for m in mailoutbox)
    assert told == sorted([world.champion.email, world.executive.email])
    assert all(f"/a/{slug}/reviews/{review.pk}/" in m.body for m in mailoutbox)
    assert_accessible(page)
    screenshot(page, "reports_csm_review_published")
    page.context.clear_cookies()

    # The champion finds it in the archive, ready to download.
    login(page, live_server, world.champion.email, PASSWORD)
    open_archive(page, live_server, world, vendor=False)
    row = document_row(page, REVIEW_TITLE)
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text("Draft")
    link = row.get_by_role("link", name=f"Download PDF of {REVIEW_TITLE}", exact=True)
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"/a/{slug}/reports/{report.pk}/download/")
    expect(link).to_have_attribute("download", "")
    expect(page.get_by_role("link", name="New business review")).to_have_count(0)
    assert_accessible(page)
    page.context.clear_cookies()

    # A member may not see the archive at all.
    login(page, live_server, world.member.email, PASSWORD)
    page.goto(f"{live_server.url}/a/{slug}/")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews")
    ).to_have_count(0)
    response = page.request.get(f"{live_server.url}/a/{slug}/reports/")
    assert response.status == 403, f"the archive answered {response.status} to a member"
    response = page.request.get(f"{live_server.url}/a/{slug}/reports/{report.pk}/download/")
    assert response.status == 403, f"the download answered {response.status} to a member"


def test_the_cs_admin_previews_then_makes_every_accounts_wrapped_and_sees_the_run_finish(
    page: Page, live_server: LiveServer, reports_world: World, mailoutbox: list[EmailMessage]
) -> None:
    world = reports_world
    year = timezone.localdate().year
    AccountFactory.create(name="Zenith", slug="zenith", owner=world.csm)  # no contract: skipped

    login(page, live_server, world.admin.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Wrapped batches").click()
    expect(page).to_have_url(f"{live_server.url}/console/wrapped/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Year-end Wrapped")
    expect(page.get_by_text("No run yet.")).to_be_visible()
    assert_accessible(page)

    form = page.get_by_role("complementary", name="Make the Wrapped")
    form.get_by_label("Year", exact=True).select_option(str(year))
    form.get_by_label(re.compile(r"^Accounts")).select_option(label="Every account")
    email_box = form.get_by_label(re.compile(r"^E-mail each account's executives"))
    email_box.check()
    expect(email_box).to_be_checked()
    form.get_by_role("button", name="Preview", exact=True).click()

    # The preview: who gets a Wrapped, who is skipped and why, a sample; nothing made yet.
    expect(page).to_have_url(re.compile(r"/console/wrapped/preview/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Preview: the {year} Wrapped for every account"
    )
    expect(page.get_by_role("heading", name="2 accounts get a Wrapped")).to_be_visible()
    expect(page.get_by_text("1 executive gets an e-mail")).to_be_visible()
    skipped = page.get_by_role("region", name=re.compile(r"^Skipped"))
    expect(skipped.get_by_role("row", name=re.compile(r"^Zenith"))).to_contain_text(
        "No contract yet"
    )
    sample = page.get_by_role("link", name=re.compile(r"^Open a sample: Acme's Wrapped"))
    response = page.request.get(f"{live_server.url}{sample.get_attribute('href')}")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    assert not WrappedBatch.objects.exists() and not Report.objects.exists()
    assert_accessible(page)
    screenshot(page, "reports_batch_preview")
    page.get_by_role("complementary", name="Start the batch").get_by_role(
        "button", name="Start", exact=True
    ).click()

    expect(page).to_have_url(re.compile(r"/console/wrapped/\d+/$"))
    batch = WrappedBatch.objects.get()
    assert (batch.year, batch.segment, batch.email_executives) == (year, "", True)
    assert batch.total == 2  # Acme and Bluth
    expect(page).to_have_url(f"{live_server.url}/console/wrapped/{batch.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{year} Wrapped for every account")
    expect(flash(page)).to_contain_text(f"Making the {year} Wrapped for 2 accounts")
    progress = page.locator("#batch-progress")
    bar = progress.get_by_role("progressbar", name="Wrapped made")
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=READY_TIMEOUT_MS)
    expect(progress).to_contain_text("2 of 2 done (100%): 2 ready")
    expect(progress).to_contain_text("Finished.")
    expect(progress).not_to_have_attribute("hx-trigger", re.compile(r"."))
    expect(page.get_by_role("region", name="Failed")).to_have_count(0)
    expect(page.get_by_role("region", name=re.compile(r"^Skipped"))).to_contain_text("Zenith")
    assert_accessible(page)
    screenshot(page, "reports_batch_progress")

    items = BatchItem.objects.select_related("report", "account").order_by("account__slug")
    assert [i.account.slug for i in items] == ["acme", "bluth"]
    assert {i.report.status for i in items} == {Report.Status.READY}
    assert all(i.report.filename == f"{i.account.slug}-wrapped-{year}.pdf" for i in items)
    # Acme's executive gets the e-mail; Bluth has no executive.
    assert [m.to for m in mailoutbox] == [[world.executive.email]]
    assert "Wrapped is ready" in mailoutbox[0].subject

    # The run is listed on the console, done.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Wrapped batches").click()
    expect(page).to_have_url(f"{live_server.url}/console/wrapped/")
    runs = page.get_by_role("region", name=re.compile(r"^Runs"))
    row = runs.get_by_role("row").filter(has=page.get_by_role("link", name=str(year)))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Every account")
    expect(row).to_contain_text("2 / 2")


def test_the_pdf_page_updates_by_itself_when_the_render_finishes(
    page: Page, live_server: LiveServer, reports_world: World
) -> None:
    """A version waiting for a worker (recorded, its job not yet run): the page says "Queued"
    and polls; once a worker has rendered it, the page shows the download link, no reload."""
    world = reports_world
    review = published_review(world)
    inputs = review_inputs(review)
    report = Report.objects.create(
        account=world.account,
        kind=Report.Kind.REVIEW,
        document=review.document,
        review=review,
        version=1,
        fingerprint=fingerprint(inputs),
        inputs=inputs,
        shared=True,  # asked for while the review is published
        requested_by=world.executive,
    )

    login(page, live_server, world.executive.email, PASSWORD)
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    status = page.locator(f"#report-status-{report.pk}")
    expect(status).to_contain_text("Queued")
    expect(status).to_contain_text("This page updates by itself")
    expect(status.get_by_role("progressbar", name="Making the PDF")).to_be_visible()
    expect(status.get_by_role("link")).to_have_count(0)
    assert_accessible(page)
    navigations = page.evaluate("performance.getEntriesByType('navigation').length")
    page.evaluate("window.notReloaded = true")
    # Let the page poll at least once while the job waits.
    with page.expect_response(
        lambda r: (
            r.url.endswith(report.get_absolute_url())
            and r.request.headers.get("hx-request") == "true"
        )
    ) as polled:
        pass
    assert polled.value.status == 200
    expect(status).to_contain_text("Queued")

    # A worker renders it.
    render_report.run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.READY

    link = wait_until_ready(page, live_server, report)
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("performance.getEntriesByType('navigation').length") == navigations
    assert_accessible(page)
    with page.expect_download() as downloading:
        link.click()
    assert downloading.value.suggested_filename == FILENAME
    # Wait for the whole file: the server's request (and its database connection) ends with it.
    assert Path(downloading.value.path()).read_bytes().startswith(b"%PDF")
