"""Value realized reads the same wherever it is printed: the value page, its panel (the same
on the account page, the executive's home and the 360° page), the business review PDF and the
Wrapped PDF all call value.figures, and here print one value, one multiple, one ROI."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.panels import get_panel_slot
from renewals.services import open_renewals
from reports.figures import review_inputs, wrapped_inputs
from reports.models import Review
from reports.rendering import render_html, render_pdf
from tests.conftest import World, client_for
from tests.value_factories import contract, kpi_with_readings
from value.figures import account_value

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs)"
)

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any, settings: Any, tmp_path: Path) -> None:
    time_machine.move_to(NOW, tick=False)
    settings.MEDIA_ROOT = tmp_path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "value.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", text)


def test_value_realized_is_the_same_on_the_pages_and_in_the_pdfs(
    world: World, tmp_path: Path
) -> None:
    month = timedelta(days=30)
    kpi_with_readings(
        world.account,
        [(TODAY - 2 * month, "40"), (TODAY - month, "90"), (TODAY, "123.5")],
        name="Hours saved on reporting",
        unit_value=Decimal("55.00"),
    )
    kpi_with_readings(
        world.account,
        [(TODAY, "900")],
        name="Support tickets a month",
        unit="tickets",
        baseline=Decimal(1400),
        lower_is_better=True,
        unit_value=Decimal("18.50"),
    )
    kpi_with_readings(world.account, [(TODAY, "7")], name="Secret licences", shared=False)
    contract(world.account, "48000")
    total = account_value(world.account).headline
    assert total is not None
    # 123.5 h x 55 x 12 + 500 tickets x 18.50 x 12 = 81,510 + 111,000
    assert total.value == Decimal("192510")
    printed = (total.value_text, total.multiple_text or "", total.roi_text or "")
    assert printed == ("€192,510", "4.0×", "+301%")

    page = client_for(world.executive).get(reverse("value", args=["acme"])).content.decode()
    open_renewals(acting_user=None)  # the contract's renewal, and the champion's renewal page
    renewal_page = client_for(world.champion).get(reverse("renewal_page", args=["acme"]))
    panel_url = reverse("account_panel", args=["acme", "value"])
    executive_panel = client_for(world.executive).get(panel_url, HTTP_HX_REQUEST="true")
    vendor_panel = client_for(world.csm).get(panel_url, HTTP_HX_REQUEST="true")
    slot = get_panel_slot("value")
    assert slot is not None and {"executive-home", "360", "account"} <= set(slot.pages)

    review = Review.objects.create(
        account=world.account,
        title="November review",
        period_start=TODAY - month,
        period_end=TODAY,
        created_by=world.csm,
        published_at=timezone.now(),
    )
    review_pdf = pdf_text(render_pdf(render_html(review_inputs(review))).pdf, tmp_path)
    wrapped_pdf = pdf_text(
        render_pdf(render_html(wrapped_inputs(world.account, TODAY.year))).pdf, tmp_path
    )

    for where, text in [
        ("page", page),
        ("executive panel", executive_panel.content.decode()),
        ("360 panel", vendor_panel.content.decode()),
        ("renewal page", renewal_page.content.decode()),
        ("review PDF", review_pdf),
        ("Wrapped PDF", wrapped_pdf),
    ]:
        for figure in printed:
            assert figure in text, (where, figure)
        assert "Secret licences" not in text, where  # a draft is counted nowhere
    for pdf in (review_pdf, wrapped_pdf):
        assert "Value realized" in pdf
        assert "0 hours 123.5 hours +123.5 hours €55.00 per hour €81,510 a year" in pdf
        assert "1,400 tickets 900 tickets +500 tickets €18.50 per ticket €111,000" in pdf
        assert "ROI = (value realized − annual contract value)" in pdf
