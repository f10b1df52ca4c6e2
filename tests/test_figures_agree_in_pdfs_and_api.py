"""The PDFs and the API print the onboarding and plan figures the pages print.

tests/test_onboarding_figures_agree.py and tests/test_plans_figures_agree.py compare the pages
(the champion's, the CSM's, the portfolios, the account page, the print view, the e-mails);
here the same data is read back from the review PDF and the Wrapped (through pdftotext) and
from the API's figures, and must say the same: one onboarding, one percentage; one KPI, one
value and one progress; one plan, one health.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from insights.models import ApiKey
from onboarding.figures import summary
from onboarding.models import Task
from onboarding.services import set_task_done
from portal.formatting import measure, number, percent
from reports.figures import review_inputs, wrapped_inputs
from reports.models import Review
from reports.rendering import render_html, render_pdf
from successplans.figures import kpi_progress, plan_view
from successplans.models import KPI, KPIValue, Milestone
from tests.conftest import World, client_for
from tests.insights_helpers import bearer, get_360, make_key
from tests.onboarding_helpers import DAY, NOW, start
from tests.panels import account_page
from tests.plan_helpers import make_plan, plan_page

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs)"
)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any, settings: Any, tmp_path: Path) -> None:
    time_machine.move_to(NOW, tick=False)
    settings.MEDIA_ROOT = tmp_path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "figures.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", text)


def review_of_the_last_month(world: World) -> Review:
    return Review.objects.create(
        account=world.account,
        title="November review",
        period_start=DAY - timedelta(days=30),
        period_end=DAY,
        created_by=world.csm,
        published_at=timezone.now(),
    )


def api_figures(world: World) -> dict[str, Any]:
    secret = make_key(world.admin, [ApiKey.Scope.READ_FIGURES.value])
    response = client_for(None).get(
        f"/api/v1/accounts/{world.account.slug}/figures", **bearer(secret)
    )
    assert response.status_code == 200, response.content
    figures: dict[str, Any] = response.json()
    return figures


def test_the_onboarding_percentage_is_the_same_in_the_pdfs_and_the_api(
    world: World, tmp_path: Path
) -> None:
    checklist = start(world, DAY - timedelta(days=5))
    Task.objects.filter(title="First report shared").update(required=False)
    for title, who in [
        ("Kickoff call", world.csm),
        ("Share your goals", world.champion),
        ("Internal handover", world.csm),  # internal: never counted
        ("Optional training", world.champion),  # optional: listed, not counted
    ]:
        set_task_done(Task.objects.get(title=title), True, acting_user=who)
    progress = summary(checklist).progress
    printed = percent(progress.percent)
    assert (progress.done, progress.total, printed) == (2, 3, "67%")

    page = client_for(world.champion).get(reverse("onboarding", args=["acme"])).content.decode()
    assert re.search(r'data-figure="onboarding-percent"[^>]*>\s*67%', page)
    assert "2 of 3 required tasks done" in page

    review = pdf_text(
        render_pdf(render_html(review_inputs(review_of_the_last_month(world)))).pdf, tmp_path
    )
    assert "67% done (2 of 3 required tasks)" in review

    wrapped = pdf_text(
        render_pdf(render_html(wrapped_inputs(world.account, DAY.year))).pdf, tmp_path
    )
    # The Wrapped lays its figures out side by side: the value, then its label below it.
    assert re.search(r"\b67% .{0,40}of onboarding done", wrapped)

    onboarding = api_figures(world)["onboarding"]
    assert (onboarding["required_done"], onboarding["required_tasks"]) == (2, 3)
    assert onboarding["progress_percent"] == 67
    assert onboarding["status"] == summary(checklist).status

    for old in ("75%", "80%", "50%", "55%", "42%"):  # what the other definitions gave
        assert old not in review and old not in wrapped


def test_a_kpi_and_the_plan_health_are_the_same_in_the_review_pdf_and_the_api(
    world: World, tmp_path: Path
) -> None:
    plan = make_plan(world)
    kpi = KPI.objects.get(objective__plan=plan)
    value = Decimal("34.90")
    KPI.objects.filter(pk=kpi.pk).update(current=value)
    KPIValue.objects.create(kpi=kpi, value=value, recorded_at=timezone.now() - timedelta(hours=1))
    Milestone.objects.filter(plan=plan, internal=False).update(target_date=DAY - timedelta(days=3))
    kpi.refresh_from_db()
    progress = kpi_progress(kpi.baseline, kpi.target, kpi.current)
    shown_value = measure(kpi.current, kpi.unit)
    health = plan_view(plan, customer=True).health_label

    page = plan_page(client_for(world.champion), plan).content.decode()
    # The page prints the value beside its target's unit ("34.9 of 4 hours"), the PDF's table
    # with each figure's unit ("34.9 hours"): the same number, rounded the same way.
    assert shown_value == f"{number(kpi.current, 2, trim=True)} {kpi.unit}"
    assert re.search(rf">\s*{re.escape(number(kpi.current, 2, trim=True) or '')}\s*<", page)
    assert f"{progress}%" in page
    assert health in page

    review = pdf_text(
        render_pdf(render_html(review_inputs(review_of_the_last_month(world)))).pdf, tmp_path
    )
    assert (
        f"{kpi.name} {measure(kpi.baseline, kpi.unit)} {shown_value} {measure(kpi.target, kpi.unit)} {progress}%"
        in review
    )

    figures = api_figures(world)
    api_plan = figures["plan"]
    assert api_plan["health"] == plan_view(plan, customer=True).health
    [api_kpi] = api_plan["kpis"]
    assert Decimal(api_kpi["value"]) == kpi.current
    assert api_kpi["progress_percent"] == progress
    assert api_kpi["met"] is False


def test_the_health_score_is_the_newest_one_everywhere(world: World, tmp_path: Path) -> None:
    """The 360° page, the account page's band (CSM and, when allowed, the champion), the book
    of business, the API and the review PDF all show the newest daily score, not an older one."""
    from insights.figures.health import latest_score
    from insights.models import AccountFacts, HealthScore

    AccountFacts.objects.create(account=world.account, customers_see_health=True)
    parts = {"usage": {"score": 40, "weight": 30, "why": "MAU is 30% of seats"}}
    HealthScore.objects.create(
        account=world.account, day=DAY - timedelta(days=1), score=81, band="healthy", parts=parts
    )
    HealthScore.objects.create(
        account=world.account, day=DAY, score=57, band="at_risk", parts=parts
    )
    newest = latest_score(world.account)
    assert newest is not None and (newest.score, newest.band) == (57, "at_risk")

    csm = client_for(world.csm)
    the_360 = get_360(csm, reverse("account_360", args=["acme"])).content.decode()
    assert "Health 57 · At risk" in the_360
    panel = account_page(csm, "acme").content.decode()
    assert re.search(r"badge-band-at_risk[^>]*>At risk</span>\s*<strong>57</strong>", panel)
    champion = account_page(client_for(world.champion), "acme")
    assert "badge-band-at_risk" in champion.content.decode()  # the band, without the number
    book = csm.get(reverse("book")).content.decode()
    assert re.search(r'href="/a/acme/360/">Acme</a>.*?badge-band-at_risk">57<', book, re.S)

    health = api_figures(world)["health"]
    assert (health["score"], health["band"]) == (57, "at_risk")

    review = pdf_text(
        render_pdf(render_html(review_inputs(review_of_the_last_month(world)))).pdf, tmp_path
    )
    assert "57 · At risk" in review and "57 health score, At risk" in review
    for old in ("81", "Healthy"):  # as a word: a factory's e-mail may hold "…981@"
        word = re.compile(rf"\b{old}\b")
        assert not word.search(the_360.split("health-title")[0]) and not word.search(review)
