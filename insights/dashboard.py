"""Usage for an account's pages: the figures and the charts, the same on the web and in PDFs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from accounts.models import Account
from portal.charts import bar_chart, line_chart

from .usage import daily_trend, feature_adoption, latest_activity

TREND_DAYS = 90


def usage_summary(account: Account, today: date) -> dict[str, Any]:
    """Active users now, their trend and feature adoption (a fixed number of queries)."""
    now = latest_activity(account, today)
    if now is None:
        return {"usage": None}
    start = today - timedelta(days=TREND_DAYS - 1)
    points = {a.day: a for a in daily_trend(account, start, today)}
    days = [start + timedelta(days=i) for i in range(TREND_DAYS)]
    trend = line_chart(
        [(f"{d:%-d %b}", float(points[d].wau) if d in points else None) for d in days],
        title=f"Weekly active users at {account.name}, last {TREND_DAYS} days",
    )
    adoption = feature_adoption(account, now.day)
    adoption_chart = bar_chart(
        [
            (f.feature, float(f.adoption * 100) if f.adoption is not None else None)
            for f in adoption[:8]
        ],
        title="Share of monthly active users who used each feature",
        y_min=0,
        y_max=100,
    )
    return {
        "usage": now,
        "usage_trend": trend,
        "adoption": adoption,
        "adoption_chart": adoption_chart,
    }
