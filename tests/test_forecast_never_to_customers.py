"""The churn forecast never reaches a customer: every page of the account a customer may open
(every URL pattern, from the access matrix's own table), every panel, and the API's account
figures, with a forecast in place; while the account's CSM does see it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.forecast_factories import ChurnForecastFactory
from tests.insights_helpers import bearer, make_key
from tests.renewals_factories import make_renewal
from tests.test_access_matrix import (  # the matrix's world (built once), URLs and table
    EXPECTED,
    PERSONAS,
    SETUP,
    _matrix_world_once,
    matrix_world,
    url_and_data,
)

__all__ = ["_matrix_world_once", "matrix_world"]  # fixtures, used by name

# Words only the forecast shows: its driver, its probability and its heading.
DRIVER = "Weekly active users fell 63% in 30 days"
SECRETS = (DRIVER, "73%", "Churn forecast", "churn probability", "likeliest to churn")
CUSTOMERS = ("champion", "executive", "member")


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 9, tzinfo=UTC))


def _text(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


def test_no_customer_page_or_panel_shows_the_forecast(matrix_world: dict[str, Any]) -> None:
    world: World = matrix_world["world"]
    ChurnForecastFactory.create(account=world.account, probability=0.73)
    walked = 0
    for persona in CUSTOMERS:
        client = client_for(world.persona(persona))
        index = PERSONAS.index(persona)
        for name in sorted(EXPECTED):
            if EXPECTED[name][0][index] != 200 or name in SETUP:
                continue
            url, _ = url_and_data(name, matrix_world)
            for response in (client.get(url), client.get(url, HTTP_HX_REQUEST="true")):
                assert not _leaks(_text(response)), (persona, url, _leaks(_text(response)))
            walked += 1
    assert walked > 60  # the walk reached the customers' pages, not a handful


def test_customers_are_refused_the_card_and_the_console(matrix_world: dict[str, Any]) -> None:
    world: World = matrix_world["world"]
    ChurnForecastFactory.create(account=world.account, probability=0.73)
    card = reverse("account_panel", args=[world.account.slug, "churn-forecast"])
    for persona in CUSTOMERS:
        client = client_for(world.persona(persona))
        for url in (card, reverse("forecast"), reverse("account_360", args=[world.account.slug])):
            response = client.get(url)
            assert response.status_code == 403, (persona, url)
            assert not _leaks(_text(response))
    # The account's CSM sees it: the check above looks for words that are there to find.
    assert DRIVER in _text(client_for(world.csm).get(card))


def test_the_pipeline_and_its_export_carry_it_to_vendor_staff_only(
    matrix_world: dict[str, Any],
) -> None:
    world: World = matrix_world["world"]
    ChurnForecastFactory.create(account=world.account, probability=0.73)
    make_renewal(world.account, ends_on=timezone.localdate() + timedelta(days=40))
    urls = (reverse("renewals_pipeline"), reverse("renewals_csv"))
    for persona in CUSTOMERS:
        client = client_for(world.persona(persona))
        for url in urls:
            response = client.get(url)
            assert response.status_code in (403, 404), (persona, url)
            assert not _leaks(_text(response))
    # The account's CSM has it on both: the pipeline's row and the export's column.
    csm = client_for(world.csm)
    page = _text(csm.get(urls[0]))
    assert "73%" in page and DRIVER in page
    (header, *rows) = csv.reader(io.StringIO(_text(csm.get(urls[1]))))
    assert header[-1] == "Churn probability"
    mine = [row[-1] for row in rows if row[0] == world.account.name]
    assert mine and set(mine) == {"73%"}


def test_a_preview_as_a_customer_shows_no_forecast(matrix_world: dict[str, Any]) -> None:
    world: World = matrix_world["world"]
    ChurnForecastFactory.create(account=world.account, probability=0.73)
    client = client_for(world.csm)
    client.post(reverse("view_as_start", args=[world.account.slug]), {"role": "champion"})
    card = client.get(reverse("account_panel", args=[world.account.slug, "churn-forecast"]))
    assert card.status_code == 403 and not _leaks(_text(card))
    home = client.get(reverse("account_home", args=[world.account.slug]))
    assert home.status_code == 200 and not _leaks(_text(home))


def test_the_api_account_figures_carry_no_forecast(matrix_world: dict[str, Any]) -> None:
    world: World = matrix_world["world"]
    ChurnForecastFactory.create(account=world.account, probability=0.73)
    url = reverse("api_v1:account_figures", args=[world.account.slug])
    response = Client().get(url, **bearer(make_key(world.admin, ["read_figures"])))
    assert response.status_code == 200
    assert not _leaks(_text(response)) and "forecast" not in _text(response).lower()
