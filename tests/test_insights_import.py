"""CSV import in the CSM console: preview, error report by line, all or nothing, encodings,
portfolio scoping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Activity
from insights.models import Contract, UsageEvent
from insights.services.imports import SESSION_KEY
from tests.conftest import World, client_for
from tests.insights_helpers import insights_db_state, usage_csv

UPLOAD = "/console/import/"


# Every test runs on 13 May 2026 at noon (UTC): "yesterday" and "the future" never move.
@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 5, 13, 12, tzinfo=UTC), tick=False)


def upload(client: Client, content: bytes, kind: str = "usage", name: str = "data.csv") -> Any:
    return client.post(
        reverse("import_upload"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def confirm(client: Client, response: Any) -> Any:
    return client.post(reverse("import_confirm", args=[response.context["token"]]))


def report(response: Any) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in response.context["errors"]]


def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def test_the_page_says_what_to_upload(world: World) -> None:
    response = client_for(world.csm).get(UPLOAD)
    assert response.status_code == 200
    assert b"recurring_value" in response.content and b"CSV file" in response.content


def test_it_previews_then_imports_on_confirm(world: World) -> None:
    client = client_for(world.csm)
    response = upload(client, usage_csv("acme", rows=25), name="march.csv")
    assert response.status_code == 200
    checked = response.context["checked"]
    assert checked.row_count == 25
    assert len(checked.sample) == 10  # the first rows
    assert checked.sample[0] == ["acme", "user-0@acme.example", yesterday(), "reports", "1"]
    assert b"25 rows" in response.content
    assert not UsageEvent.objects.exists()  # nothing before the confirmation

    done = confirm(client, response)
    result_url = reverse("import_result", args=[response.context["token"]])
    assert done.status_code == 302 and done["Location"] == result_url
    assert UsageEvent.objects.count() == 25
    activity = Activity.objects.get(verb="imported usage from a CSV file")
    assert activity.account == world.account and activity.after == {"file": "march.csv", "rows": 25}
    assert SESSION_KEY not in client.session
    result = client.get(result_url)
    assert result.status_code == 200
    page = result.content.decode()
    assert "march.csv is imported" in page and "25 usage rows" in page
    assert reverse("account_360", args=["acme"]) in page


def test_confirming_again_after_back_says_it_is_already_imported(world: World) -> None:
    """Back to the preview, then Confirm again: the same upload is not imported twice, and the
    answer says so, with a link to the result (not a 404)."""
    client = client_for(world.csm)
    response = upload(client, usage_csv("acme", rows=4), name="march.csv")
    assert confirm(client, response).status_code == 302
    before = insights_db_state()

    again = confirm(client, response)
    assert again.status_code == 409
    page = again.content.decode()
    assert "This file was already imported" in page and "nothing was imported again" in page
    assert f'href="{reverse("import_result", args=[response.context["token"]])}"' in page
    assert insights_db_state() == before  # no row, no activity, no roll-up job twice
    assert UsageEvent.objects.count() == 4
    assert Activity.objects.filter(verb="imported usage from a CSV file").count() == 1


def test_the_result_of_an_import_is_only_in_its_own_session(world: World) -> None:
    client = client_for(world.csm)
    response = upload(client, usage_csv("acme"))
    confirm(client, response)
    url = reverse("import_result", args=[response.context["token"]])
    assert client_for(world.csm).get(url).status_code == 404  # another session
    assert client.get(reverse("import_result", args=["no-such-import"])).status_code == 404


def test_importing_the_same_file_again_changes_nothing(world: World) -> None:
    client = client_for(world.csm)
    confirm(client, upload(client, usage_csv("acme", rows=3)))
    state = list(UsageEvent.objects.order_by("pk").values("user_key", "count"))
    confirm(client, upload(client, usage_csv("acme", rows=3)))
    assert list(UsageEvent.objects.order_by("pk").values("user_key", "count")) == state


def test_a_bad_row_imports_nothing_and_is_reported_by_line(world: World) -> None:
    day = yesterday()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    content = "\n".join(
        [
            "account,user,day,feature,count",
            f"acme,ann,{day},reports,1",  # line 2: good
            f"acme,bob,{day},reports,-4",  # line 3
            "acme,cat,31/01/2026,reports,2",  # line 4
            f"acme,dan,{day},reports,lots",  # line 5
            f"nobody,eve,{day},reports,1",  # line 6
            f"acme,fay,{future},reports,1",  # line 7
            f"acme,gus,{day},reports",  # line 8: a value short
            f"acme,hal,{day},reports,2.5",  # line 9
            "",
        ]
    ).encode()
    before = insights_db_state()
    response = upload(client_for(world.csm), content)
    assert response.status_code == 422
    assert report(response) == [
        (3, "count", "must be ≥ 0"),
        (4, "day", "must be a date like 2026-01-31"),
        (5, "count", "must be a whole number"),
        (6, "account", "is not an account you may write to"),
        (7, "day", "must not be in the future"),
        (8, "", "has 4 values; the header has 5"),
        (9, "count", "must be a whole number"),
    ]
    assert b"Nothing was imported" in response.content
    assert "token" not in response.context
    assert insights_db_state() == before


@pytest.mark.parametrize(
    "header,message",
    [
        ("account,user,day,feature", "missing column(s): count"),
        ("account,user,day,feature,count,colour", "unknown column(s): colour"),
        ("account,user,day,feature,count,count", "repeated column(s): count"),
    ],
)
def test_wrong_columns_are_reported_on_line_one(world: World, header: str, message: str) -> None:
    content = f"{header}\nacme,ann,{yesterday()},reports,1\n".encode()
    response = upload(client_for(world.csm), content)
    assert response.status_code == 422
    assert report(response)[0][0] == 1
    assert report(response)[0][2].startswith(message)
    assert not UsageEvent.objects.exists()


def test_headers_are_read_loosely(world: World) -> None:
    content = f" Account ,USER,Day,Feature,Count\nacme,ann,{yesterday()},reports,1\n".encode()
    client = client_for(world.csm)
    confirm(client, upload(client, content))
    assert UsageEvent.objects.get().user_key == "ann"


def test_a_file_that_is_not_utf8_is_refused_with_its_line(world: World) -> None:
    content = f"account,user,day,feature,count\nacme,ann,{yesterday()},reports,1\n".encode()
    content += f"acme,Zoë,{yesterday()},reports,1\n".encode("latin-1")
    response = upload(client_for(world.csm), content)
    assert response.status_code == 422
    [(line, _, message)] = report(response)
    assert line == 3 and "not UTF-8" in message
    assert not UsageEvent.objects.exists()


def test_utf8_with_a_byte_order_mark_and_windows_line_ends_is_fine(world: World) -> None:
    content = f"account,user,day,feature,count\r\nacme,Zoë,{yesterday()},reports,1\r\n"
    client = client_for(world.csm)
    response = upload(client, "\ufeff".encode() + content.encode())
    assert response.status_code == 200
    confirm(client, response)
    assert UsageEvent.objects.get().user_key == "Zoë"


def test_an_empty_file_is_reported(world: World) -> None:
    response = upload(client_for(world.csm), b"")
    assert response.status_code == 422
    assert "The submitted file is empty." in response.content.decode()
    response = upload(client_for(world.csm), b"account,user,day,feature,count\n\n")
    assert response.status_code == 422
    assert report(response) == [(0, "", "The file has a header but no rows.")]


def test_a_file_over_the_size_limit_is_refused(world: World, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 100
    response = upload(client_for(world.csm), usage_csv("acme", rows=10))
    assert response.status_code == 422
    assert "the limit is 100" in response.content.decode()
    assert not UsageEvent.objects.exists()


def test_contracts_import(world: World) -> None:
    content = (
        b"account,external_id,product,kind,starts_on,ends_on,recurring_value,one_off_fees\n"
        b"acme,C-1,Pro,new,2026-01-01,2026-07-01,1000.00,250\n"
        b"acme,C-2,,,2026-01-01,2028-01-01,3000,\n"
    )
    client = client_for(world.csm)
    response = upload(client, content, kind="contracts")
    assert response.status_code == 200, response.context.get("errors")
    confirm(client, response)
    one, two = Contract.objects.order_by("external_id")
    assert (one.term_months, one.one_off_fees, one.kind) == (6, Decimal(250), "new")
    assert (two.term_months, two.product, two.one_off_fees) == (24, "", Decimal(0))
    assert (two.mrr * 12).quantize(Decimal("0.01")) == Decimal("1500.00")  # DESIGN.md


def test_a_bad_contract_is_reported(world: World) -> None:
    content = (
        b"account,external_id,starts_on,ends_on,recurring_value\n"
        b"acme,C-1,2026-07-01,2026-01-01,1000\n"
        b"acme,C-2,2026-01-01,2026-07-01,1.000,00\n"
        b"acme,C-3,2026-01-01,2026-07-01,12.345\n"
    )
    response = upload(client_for(world.csm), content, kind="contracts")
    assert report(response) == [
        (2, "ends_on", "must be after starts_on"),
        (3, "", "has 6 values; the header has 5"),
        (4, "recurring_value", "must have at most 2 decimal places"),
    ]
    assert not Contract.objects.exists()


def test_usage_columns_are_not_contracts(world: World) -> None:
    response = upload(client_for(world.csm), usage_csv("acme"), kind="contracts")
    assert response.status_code == 422
    assert report(response)[0][2].startswith("missing column(s): external_id")


# Who may import for whom -----------------------------------------------------------------------


def test_a_csm_imports_only_for_their_portfolio(world: World) -> None:
    content = usage_csv("acme", rows=2) + usage_csv("bluth", rows=1).split(b"\n", 1)[1]
    response = upload(client_for(world.csm), content)
    assert response.status_code == 422
    assert report(response) == [(4, "account", "is not an account you may write to")]
    assert not UsageEvent.objects.exists()


def test_an_admin_imports_for_every_account(world: World) -> None:
    content = usage_csv("acme", rows=2) + usage_csv("bluth", rows=1).split(b"\n", 1)[1]
    client = client_for(world.admin)
    confirm(client, upload(client, content))
    assert UsageEvent.objects.filter(account=world.other_account).count() == 1
    assert Activity.objects.filter(verb="imported usage from a CSV file").count() == 2


def test_the_portfolio_is_checked_again_on_confirm(world: World) -> None:
    client = client_for(world.csm)
    response = upload(client, usage_csv("acme"))
    Account.objects.filter(pk=world.account.pk).update(owner=world.other_csm)
    done = confirm(client, response)
    assert done.status_code == 422
    assert report(done)[0][1] == "account"
    assert not UsageEvent.objects.exists()


def test_an_upload_waits_only_in_its_own_session(world: World) -> None:
    response = upload(client_for(world.csm), usage_csv("acme"))
    token = response.context["token"]
    for other in (world.admin, world.csm):  # another session, even the same person's
        assert client_for(other).post(reverse("import_confirm", args=[token])).status_code == 404
    assert not UsageEvent.objects.exists()


def test_a_stale_upload_must_be_sent_again(world: World) -> None:
    client = client_for(world.csm)
    response = upload(client, usage_csv("acme"))
    session = client.session
    session[SESSION_KEY]["at"] -= 2 * 60 * 60
    session.save()
    assert confirm(client, response).status_code == 404
    assert not UsageEvent.objects.exists()


@pytest.mark.parametrize("persona", ["champion", "executive", "member", "other_champion"])
def test_customers_cannot_import(world: World, persona: str) -> None:
    client = client_for(world.persona(persona))
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, usage_csv("acme")).status_code == 403
    assert not UsageEvent.objects.exists()


def test_it_needs_a_file(world: World) -> None:
    response = client_for(world.csm).post(UPLOAD, {"kind": "usage"})
    assert response.status_code == 422
    assert not UsageEvent.objects.exists()
