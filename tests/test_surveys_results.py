"""The results page: figures per filter, the trend chart, comments, CSV, a fixed query count."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Segment
from portal.charts import bar_chart
from surveys.models import Campaign, Delivery, Kind, Response
from tests.conftest import World, client_for
from tests.survey_helpers import make_campaign, make_survey

RESULTS = reverse("survey_results")


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
    admin = client_for(world.admin).get(RESULTS).context["results"]
    assert admin.summary.nps.responses == 6


def test_filters_by_account_segment_campaign_and_band(world: World, nps: Campaign) -> None:
    client = client_for(world.admin)
    by_account = client.get(RESULTS, {"account": "bluth"}).context["results"]
    assert by_account.summary.nps.score == -100
    Account.objects.filter(pk=world.account.pk).update(segment=Segment.SMB)
    by_segment = client.get(RESULTS, {"segment": "smb"}).context["results"]
    assert by_segment.summary.nps.responses == 4
    by_campaign = client.get(RESULTS, {"campaign": nps.pk}).context["results"]
    assert by_campaign.summary.nps.responses == 6
    negative = client.get(RESULTS, {"band": "negative"}).context["results"]
    assert {c.score for c in negative.comments} == {0, 3}
    positive = client.get(RESULTS, {"band": "positive"}).context["results"]
    assert {c.score for c in positive.comments} == {9, 10}


def test_bad_filters_fall_back_to_the_defaults(world: World, nps: Campaign) -> None:
    response = client_for(world.admin).get(
        RESULTS, {"campaign": "x", "account": "nope", "period": "7", "kind": "zzz", "page": "99"}
    )
    assert response.status_code == 200


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
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["answered_at", "campaign", "survey_type", "score"]
    assert len(rows) == 7
    assert {r[3] for r in rows[1:]} == {"10", "9", "8", "3", "0"}
    assert "'=HYPERLINK(1)" in {r[5] for r in rows[1:]}  # not a formula in a spreadsheet
    mine = client_for(world.csm).get(reverse("survey_results_export"), {"period": "all"})
    assert len(b"".join(mine.streaming_content).decode().strip().splitlines()) == 5


def count_results_queries(client: Any) -> int:
    client.get(RESULTS)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(RESULTS, {"period": "all"})
    assert response.status_code == 200
    return len(queries)


def test_the_results_page_makes_the_same_queries_for_100_and_100000_responses(
    world: World,
) -> None:
    campaign = make_campaign(make_survey(world.csm), world.admin)
    bulk_answers(
        campaign, world.account, world.champion, [i % 11 for i in range(100)], comment="ok"
    )
    client = client_for(world.csm)
    few = count_results_queries(client)
    bulk_answers(
        campaign, world.account, world.executive, [i % 11 for i in range(99_900)], comment="more"
    )
    assert Response.objects.count() == 100_000
    many = count_results_queries(client)
    assert many == few
    assert client.get(RESULTS).context["results"].summary.nps.responses == 100_000


def test_csat_and_ces_pages(world: World) -> None:
    csat = make_campaign(make_survey(world.csm, Kind.CSAT), world.admin)
    bulk_answers(csat, world.account, world.member, [5, 4, 1, 2])
    ces = make_campaign(make_survey(world.csm, Kind.CES), world.admin)
    bulk_answers(ces, world.account, world.member, [7, 5, 1])
    client = client_for(world.csm)
    assert client.get(RESULTS, {"kind": "csat"}).context["results"].summary.csat.score == 50
    page = client.get(RESULTS, {"kind": "ces"})
    assert page.context["results"].summary.ces.mean == pytest.approx(13 / 3)
    assert "Found it easy (5–7)" in page.content.decode()


def test_the_demo_surveys_load_once(db: None) -> None:
    from django.core.management import call_command

    from surveys.demo import ensure_demo_surveys
    from surveys.models import FollowUp

    call_command("load_demo", stdout=io.StringIO())  # it loads the demo surveys too
    assert ensure_demo_surveys() == 0
    assert Response.objects.count() == 17
    assert FollowUp.objects.filter(status="resolved").exclude(customer_note="").count() == 1
    assert FollowUp.objects.count() == 4
    assert Delivery.objects.pending_for(
        Account.objects.get(slug="acme"), _user("dana@acme.example")
    ).exists()
    assert {a.slug for a in Account.objects.filter(pk__in=Response.objects.values("account"))} == {
        "acme",
        "globex",
        "initech",
    }


def _user(email: str) -> Any:
    from accounts.models import User

    return User.objects.get(email=email)
