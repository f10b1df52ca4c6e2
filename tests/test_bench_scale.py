"""The large data builder (bench/largedata.py) and bench/scale.py's page probe at a tiny scale:
the builder writes what it says, remembers what it built, and the measured pages answer 200
with the query counts they have on the demo data alone. The times are the bench's business."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from accounts.models import Account
from bench import largedata
from bench.scale import PAGES, percentile, probe_pages
from insights.models import FeatureUsageDay, HealthScore, ProductUser, UsageDay, UsageEvent

pytestmark = [
    pytest.mark.skipif(
        not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="the large data is built with PostgreSQL's COPY and generate_series",
    ),
    pytest.mark.django_db,
]

SCALE = 0.0005  # 5 accounts, 250 product users, 10,000 usage events


def test_sizes_scale_every_count_but_the_days_and_keep_one_checklist_per_account() -> None:
    sizes = largedata.sizes_for(SCALE)
    assert sizes["accounts"] == 5
    assert sizes["usage_events"] == 10_000
    assert sizes["csms"] == 2  # at least the demo's two CSMs
    assert sizes["usage_days"] == sizes["history_days"] == 365
    assert sizes["checklists"] == sizes["success_plans"] == 5  # at most one per account
    assert largedata.sizes_for(1.0)["usage_events"] == 20_000_000
    assert largedata.sizes_for(SCALE, accounts=7)["accounts"] == 7
    with pytest.raises(TypeError):
        largedata.sizes_for(SCALE, planets=3)


def test_the_builder_fills_the_tables_and_the_pages_keep_their_query_counts() -> None:
    call_command("load_demo", stdout=StringIO())
    demo_accounts = Account.objects.count()  # the demo's customers and its past customers
    demo = probe_pages(PAGES)
    before = {
        model: model.objects.count()
        for model in (ProductUser, UsageEvent, UsageDay, FeatureUsageDay, HealthScore)
    }
    lines: list[str] = []

    sizes = largedata.build(scale=SCALE, progress=lines.append)

    expected = largedata.sizes_for(SCALE)
    rows = sizes["rows"]
    accounts = expected["accounts"]
    assert sizes["cached"] is False
    assert rows["accounts.Account"] == demo_accounts + accounts  # the demo's and the new ones
    assert rows["insights.ProductUser"] == before[ProductUser] + expected["product_users"]
    assert rows["insights.UsageEvent"] == before[UsageEvent] + expected["usage_events"]
    assert rows["insights.UsageDay"] == before[UsageDay] + accounts * 365
    assert rows["insights.FeatureUsageDay"] == before[FeatureUsageDay] + accounts * 365 * 4
    # A year of history for each new account, and for acme (whose month the demo made).
    assert rows["insights.HealthScore"] == (accounts + 1) * 365 + before[HealthScore] - 30
    assert rows["surveys.Response"] >= expected["survey_responses"]
    assert rows["successplans.SuccessPlan"] >= accounts
    assert sizes["database_bytes"] > 0
    assert any("usage events" in line for line in lines)

    large = probe_pages(PAGES)
    for page in PAGES:
        d, g = demo["pages"][page.name], large["pages"][page.name]
        assert (d["status"], g["status"]) == (200, 200), (page.name, d, g)
        assert len(g["queries"]) == len(d["queries"]), page.name
        assert all(ms >= 0 for _, ms in g["queries"])
    assert set(large["cookies"]) == {page.login for page in PAGES}

    # Asked again, it finds the data built; asked for another size, it refuses.
    assert largedata.build(scale=SCALE, progress=lines.append)["cached"] is True
    with pytest.raises(largedata.LargeDataError):
        largedata.build(scale=SCALE * 2, progress=lines.append)


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([3.0, 1.0], 0.95) == 3.0
