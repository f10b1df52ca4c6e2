"""Referrals: the customer's form (a clear 422 for a bad e-mail, nothing saved), the owner CSM
told, the vendor moving each to an outcome, the customer seeing how far theirs came."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Notification
from advocacy.models import Referral, ReferralStatus
from tests.advocacy_factories import ReferralFactory
from tests.conftest import World, client_for
from tests.snapshot import unchanged

GOOD = {
    "company": "Initrode",
    "contact_name": "Grace Lin",
    "contact_email": "grace@initrode.example",
    "note": "Their ops lead asked about us.",
}


@pytest.mark.parametrize("person", ["champion", "executive", "member"])
def test_any_customer_refers_a_company(world: World, person: str) -> None:
    user = world.persona(person)
    url = reverse("advocacy_refer", args=[world.account.slug])
    response = client_for(user).post(url, GOOD)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.referred_by, referral.company, referral.status) == (user, "Initrode", "new")
    assert Notification.objects.filter(user=world.csm, title__contains="referred Initrode").exists()
    page = client_for(user).get(url).content.decode()
    assert "Initrode" in page and "New" in page


def test_a_bad_e_mail_is_a_422_and_saves_nothing(world: World) -> None:
    url = reverse("advocacy_refer", args=[world.account.slug])
    client = client_for(world.champion)
    with unchanged():
        response = client.post(url, {**GOOD, "contact_email": "grace@"})
    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert 'value="Initrode"' in response.content.decode()  # what was typed is kept


def test_the_vendor_moves_a_referral_to_an_outcome(world: World) -> None:
    referral = ReferralFactory.create(account=world.account, referred_by=world.champion)
    url = reverse("advocacy_referral", args=[world.account.slug, referral.pk])
    response = client_for(world.csm).post(
        url, {"status": "won", "outcome": "Signed.", "next": "board"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("advocacy_board")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (ReferralStatus.WON, "Signed.")


def test_an_unknown_status_is_refused(world: World) -> None:
    referral = ReferralFactory.create(account=world.account, referred_by=world.champion)
    url = reverse("advocacy_referral", args=[world.account.slug, referral.pk])
    client = client_for(world.csm)
    with unchanged():
        assert client.post(url, {"status": "maybe"}).status_code == 422


def test_a_customer_sees_only_their_own_referrals(world: World) -> None:
    ReferralFactory.create(account=world.account, referred_by=world.executive, company="Theirs")
    page = client_for(world.champion).get(reverse("advocacy_refer", args=[world.account.slug]))
    assert "Theirs" not in page.content.decode()
