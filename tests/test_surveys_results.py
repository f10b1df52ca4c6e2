"""The results page: figures per filter, the trend chart, comments, CSV, a fixed query count."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Segment
from portal.charts import bar_chart
from surveys.models import Campaign, Delivery, Kind, Response
from tests.conftest import World, client_for
from tests.queries import assert_same_queries, page_queries
from tests.survey_helpers import SURVEY_NOW, make_campaign, make_survey, stat, survey_db_state

RESULTS = reverse("survey_results")


@pytest.fixture(autouse=True)
def _now(time_machine: Any) -> None:
    time_machine.move_to(SURVEY_NOW, tick=False)


def bulk_answers(
    campaign: Campaign, account: Account, user: Any, scores: list[int], *, comment: str = ""
) -> None:
    """Many answers from one person, one per wave (a person answers each wave once)."""
    now = timezone.now()
    first = (
        Delivery.objects.filter(campaign=campaign).order_by("-wave").first() or Delivery(wave=0)
    ).wave
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                campaign=campaign, wave=first + i + 1, account=account, user=user, created_at=now
            )
            for i in range(len(scores))
        ],
        batch_size=5000,
    )
    Response.objects.bulk_create(
        (
            Response(
                delivery=d,
                campaign=campaign,
                account=account,
                user=user,
                kind=campaign.survey.kind,
                score=score,
                comment=comment,
                answered_at=now - timedelta(days=i % 300),
            )
            for i, (d, score) in enumerate(zip(deliveries, scores, strict=True))
        ),
        batch_size=5000,
    )


@pytest.fixture
def nps(world: World) -> Campaign:
    campaign = make_campaign(make_survey(world.csm), world.admin, name="Spring NPS")
    bulk_answers(campaign, world.account, world.champion, [10, 9, 8, 3], comment="Acme says hi")
    bulk_answers(
        campaign, world.other_account, world.other_champion, [0, 0], comment="=HYPERLINK(1)"
    )
    return campaign


def test_the_csm_sees_their_portfolio_figures_only(world: World, nps: Campaign) -> None:
    response = client_for(world.csm).get(RESULTS)
    assert response.status_code == 200
    results = response.context["results"]
    assert results.summary.nps.responses == 4
    assert results.summary.nps.score == 25  # 2 promoters, 1 detractor of 4
    assert results.rate.asked == 4 and results.rate.percent == 100
    page = response.content.decode()
    assert "Acme says hi" in page and "HYPERLINK" not in page
    assert stat(page, "NPS") == "+25" and stat(page, "Response rate") == "100%"
    admin = client_for(world.admin).get(RESULTS).context["results"]
    assert admin.summary.nps.responses == 6


def test_filters_by_account_segment_campaign_and_band(world: World, nps: Campaign) -> None:
    client = client_for(world.admin)
    by_account = client.get(RESULTS, {"account": "bluth"})
    assert by_account.context["results"].summary.nps.score == -100
    assert stat(by_account.content.decode(), "NPS") == "−100"
    Account.objects.filter(pk=world.account.pk).update(segment=Segment.SMB)
    by_segment = client.get(RESULTS, {"segment": "smb"}).context["results"]
    assert by_segment.summary.nps.responses == 4
    by_campaign = client.get(RESULTS, {"campaign": nps.pk}).context["results"]
    assert by_campaign.summary.nps.responses == 6
    negative = client.get(RESULTS, {"band": "negative"}).context["comments"]
    assert {c.score for c in negative} == {0, 3}
    positive = client.get(RESULTS, {"band": "positive"}).context["comments"]
    assert {c.score for c in positive} == {9, 10}


@pytest.mark.parametrize(
    "query",
    [
        {"campaign": "x"},
        {"campaign": "-1"},
        {"account": "nope"},
        {"period": "7"},
        {"kind": "zzz"},
        {"interval": "1e9"},
        {"segment": "abc"},
        {"band": "-1"},
    ],
)
def test_a_bad_filter_is_a_422_that_says_so_and_shows_the_default(
    world: World, nps: Campaign, query: dict[str, str]
) -> None:
    before = survey_db_state()
    response = client_for(world.admin).get(RESULTS, query)
    assert response.status_code == 422
    page = response.content.decode()
    assert "The default is shown instead." in page
    results = response.context["results"]
    assert (results.filters.kind, results.filters.days) == ("nps", 365)
    assert results.summary.nps.responses == 6  # every filter at its default
    assert selected(page, "period") == "365"
    assert survey_db_state() == before


def test_a_bad_filter_from_htmx_is_a_422_notice(world: World, nps: Campaign) -> None:
    response = client_for(world.admin).get(RESULTS, {"period": "7"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#notice"
    assert "Period" in response.content.decode()


def test_a_page_past_the_end_is_the_last_one_and_a_junk_page_a_404(
    world: World, nps: Campaign
) -> None:
    client = client_for(world.admin)
    assert client.get(RESULTS, {"page": "99"}).context["comments"].number == 1
    for junk in ["abc", "-1", "0", "1e9", ""]:
        assert client.get(RESULTS, {"page": junk}).status_code == 404, junk


def selected(page: str, name: str) -> str | None:
    """The value of the option the page's select ``name`` shows as chosen."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    chosen = re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select.group(1))
    return chosen[0] if len(chosen) == 1 else None


def test_the_period_shown_is_the_period_the_figures_use(world: World) -> None:
    campaign = make_campaign(make_survey(world.csm), world.admin)
    now = timezone.now()
    # One answer 100 days ago (in the last 90 days? no; in the last 12 months: yes), one 200
    # days ago, one 400 days ago (outside the last 12 months).
    for days, score in [(100, 10), (200, 0), (400, 0)]:
        bulk_answers(campaign, world.account, world.champion, [score])
        Response.objects.filter(pk=Response.objects.latest("pk").pk).update(
            answered_at=now - timedelta(days=days)
        )
    client = client_for(world.csm)
    for query in [{}, {"kind": "nps"}, {"interval": "quarter"}]:
        response = client.get(RESULTS, query)
        page = response.content.decode()
        results = response.context["results"]
        # The select shows "Last 12 months" and the figures are the last 12 months' answers.
        assert selected(page, "period") == "365", query
        assert '<option value="365" selected>Last 12 months</option>' in page
        assert results.filters.days == 365
        assert results.summary.nps.responses == 2  # 100 and 200 days ago, not 400
        assert stat(page, "NPS") == "0"  # one promoter, one detractor
        assert "Answers since 16 Mar 2025" in page  # 365 days before 16 Mar 2026
    last_90 = client.get(RESULTS, {"period": "90"})
    assert selected(last_90.content.decode(), "period") == "90"
    assert last_90.context["results"].summary.nps.responses == 0
    every = client.get(RESULTS, {"period": "all"})
    assert selected(every.content.decode(), "period") == "all"
    assert every.context["results"].summary.nps.responses == 3


def test_a_campaigns_kind_is_the_kind_shown(world: World) -> None:
    csat = make_campaign(make_survey(world.csm, Kind.CSAT), world.admin)
    query: dict[str, int | str] = {"campaign": csat.pk, "kind": "nps"}
    page = client_for(world.admin).get(RESULTS, query)
    assert page.context["results"].filters.kind == "csat"
    assert selected(page.content.decode(), "kind") == "csat"
    assert selected(page.content.decode(), "campaign") == str(csat.pk)


def test_no_responses_say_so(world: World) -> None:
    page = client_for(world.csm).get(RESULTS, {"kind": "csat"}).content.decode()
    assert "no responses" in page


def test_an_htmx_filter_gets_the_results_part_only(world: World, nps: Campaign) -> None:
    response = client_for(world.csm).get(RESULTS, {"period": "all"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'id="results"' in response.content and b"<html" not in response.content


def test_the_trend_is_a_chart_with_a_text_alternative_and_a_table(
    world: World, nps: Campaign
) -> None:
    page = client_for(world.csm).get(RESULTS, {"interval": "quarter"}).content.decode()
    assert '<svg class="chart"' in page and 'role="img"' in page
    assert "NPS by quarter" in page
    assert "Show the figures as a table" in page


def test_the_chart_module_handles_empty_and_negative_values() -> None:
    chart = bar_chart(
        [("Jan", None), ("Feb", -40.0), ("Mar", 100.0)], title="NPS", y_min=-100, y_max=100
    )
    assert "Feb -40" in chart.summary and "1 period with no responses" in chart.summary
    assert chart.rows[0] == ("Jan", "no responses")
    assert "<desc" in chart.svg and "#b42318" in chart.svg
    empty = bar_chart([], title="CSAT", y_min=0, y_max=100)
    assert empty.summary == "CSAT: no responses in this period."


def test_csv_export_streams_every_visible_response(world: World, nps: Campaign) -> None:
    response = client_for(world.admin).get(reverse("survey_results_export"), {"period": "all"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv"
    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0][:4] == ["answered_at", "campaign", "survey_type", "score"]
    assert len(rows) == 7
    assert {r[3] for r in rows[1:]} == {"10", "9", "8", "3", "0"}
    assert "'=HYPERLINK(1)" in {r[5] for r in rows[1:]}  # not a formula in a spreadsheet
    mine = client_for(world.csm).get(reverse("survey_results_export"), {"period": "all"})
    assert isinstance(mine, StreamingHttpResponse)
    assert len(mine.getvalue().decode().strip().splitlines()) == 5


def test_the_results_page_makes_the_same_queries_for_100_and_100000_responses(
    world: World,
) -> None:
    campaign = make_campaign(make_survey(world.csm), world.admin)
    bulk_answers(
        campaign, world.account, world.champion, [i % 11 for i in range(100)], comment="ok"
    )
    client = client_for(world.csm)
    few = page_queries(client, f"{RESULTS}?period=all")
    bulk_answers(
        campaign, world.account, world.executive, [i % 11 for i in range(99_900)], comment="more"
    )
    assert Response.objects.count() == 100_000
    many = page_queries(client, f"{RESULTS}?period=all")
    assert_same_queries(few, many, "the results page")
    assert client.get(RESULTS).context["results"].summary.nps.responses == 100_000


def test_csat_and_ces_pages(world: World) -> None:
    csat = make_campaign(make_survey(world.csm, Kind.CSAT), world.admin)
    bulk_answers(csat, world.account, world.member, [5, 4, 1, 2])
    ces = make_campaign(make_survey(world.csm, Kind.CES), world.admin)
    bulk_answers(ces, world.account, world.member, [7, 5, 1])
    client = client_for(world.csm)
    csat_page = client.get(RESULTS, {"kind": "csat"})
    assert csat_page.context["results"].summary.csat.score == 50
    assert stat(csat_page.content.decode(), "CSAT (answers of 4 or 5)") == "50%"
    page = client.get(RESULTS, {"kind": "ces"})
    assert page.context["results"].summary.ces.mean == pytest.approx(13 / 3)
    assert stat(page.content.decode(), "CES, mean of 1–7") == "4.3"
    assert stat(page.content.decode(), "Found it easy (5–7)") == "67%"  # 2 of 3


def test_the_demo_surveys_load_once(db: None) -> None:
    from django.core.management import call_command

    from surveys.demo import ensure_demo_surveys
    from surveys.models import FollowUp

    call_command("load_demo", stdout=io.StringIO())  # it loads the demo surveys too
    assert ensure_demo_surveys() == 0
    # Seventeen scored answers, and Vandelay's exit answer (offboarding/demo.py).
    assert Response.objects.exclude(kind="exit").count() == 17
    assert Response.objects.filter(kind="exit").count() == 1
    assert FollowUp.objects.filter(status="resolved").exclude(customer_note="").count() == 1
    assert FollowUp.objects.count() == 4
    assert Delivery.objects.pending_for(
        Account.objects.get(slug="acme"), _user("dana@acme.example")
    ).exists()
    scored = Response.objects.exclude(kind="exit")
    assert {a.slug for a in Account.objects.filter(pk__in=scored.values("account"))} == {
        "acme",
        "globex",
        "initech",
    }


def _user(email: str) -> Any:
    from accounts.models import User

    return User.objects.get(email=email)
