"""An eligibility-only service (kind `eligibility`, ADR 0008) seen by a citizen: listed under its
own heading, offered with no amount, confirmed into a decided case that pays nothing — on the
pages and through the API. The kr pack's seniors' free urban rail travel is the example."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.accounts.models import Agency, User
from gov3.accounts.services import do_create_citizen_account
from gov3.cases.models import Case, CaseStatus, PaymentInstruction
from gov3.catalogue.installed import rules_pack
from gov3.offers.models import Offer, OfferTrigger
from gov3.offers.proposals import propose
from gov3.offers.services import do_make_offers
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD

SERVICE = "senior_free_transit"
NAME = {"en": "Free urban rail travel for seniors", "ko": "경로우대 도시철도 무임승차"}
HEADING = {"en": "Entitlements", "ko": "자격 인정"}
#: The next heading after the entitlements in the catalogue (kinds in `rules.pack.KINDS` order).
NEXT_HEADING = {"en": "Documents", "ko": "증명서"}
NOTE = {
    "en": "An entitlement: no money is paid. Confirming records that you are entitled.",
    "ko": "이용 자격입니다. 돈은 지급되지 않으며, 확인하시면 자격이 있음이 기록됩니다.",
}
AMOUNT = {"en": "Amount", "ko": "금액"}


def _headers(language: str) -> dict[str, str]:
    return {"accept-language": language}


@pytest.fixture
def senior(family: dict[str, Person]) -> User:
    """박철수, born 1960: 65 or over, so entitled to free urban rail travel."""
    return do_create_citizen_account(
        ACTOR, person=family["stranger"], username="cheolsu", password=PASSWORD
    )


@pytest.fixture
def entitlement(
    senior: User, welfare_agency: Agency, django_capture_on_commit_callbacks: Any
) -> Offer:
    """The offer the sweep would make him today, made through the same commands."""
    assert senior.person is not None
    service = rules_pack("kr").services[SERVICE]
    proposal = propose(service, senior.person, timezone.localdate())
    assert proposal is not None
    with django_capture_on_commit_callbacks(execute=True):
        (offer,) = do_make_offers(ACTOR, [proposal], trigger=OfferTrigger.SWEEP, detail={})
    offer.refresh_from_db()  # notified after commit: a new version
    return offer


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_catalogue_lists_entitlements_under_their_own_heading(
    client: Client, language: str
) -> None:
    page = client.get(reverse("portal:services"), headers=_headers(language)).content.decode()
    headings = re.findall(r'<h2 id="group-(\w+)"[^>]*>([^<]+)</h2>', page)
    assert [kind for kind, _ in headings] == ["benefit", "eligibility", "document", "reminder"]
    assert dict(headings)["eligibility"] == HEADING[language]
    section = page.split(HEADING[language], 1)[1].split(NEXT_HEADING[language], 1)[0]
    assert NAME[language] in section


def test_the_service_page_says_it_pays_nothing_and_shows_no_amount(client: Client) -> None:
    url = reverse("portal:service", args=[SERVICE])
    page = client.get(url, headers=_headers("en")).content.decode()
    assert "An entitlement: no money is paid." in page
    assert "The amount" not in page
    assert "law.go.kr" in page


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_offer_shows_no_amount_and_says_nothing_is_paid(
    client: Client, senior: User, entitlement: Offer, language: str
) -> None:
    assert entitlement.service_kind == "eligibility"
    assert entitlement.amount is None
    client.force_login(senior)
    inbox = client.get(reverse("offers:inbox"), headers=_headers(language)).content.decode()
    assert NAME[language] in inbox
    assert NOTE[language] in inbox
    assert AMOUNT[language] not in inbox
    url = reverse("offers:offer", args=[entitlement.public_id])
    page = client.get(url, headers=_headers(language)).content.decode()
    assert NOTE[language] in page
    assert f"<dt>{AMOUNT[language]}</dt>" not in page


def test_confirming_decides_a_case_and_pays_nothing(
    client: Client,
    senior: User,
    entitlement: Offer,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 0
    client.force_login(senior)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("offers:confirm", args=[entitlement.public_id]),
            {"version": entitlement.version},
        )
    assert response.status_code == 302
    case = Case.objects.get(offer=entitlement)
    assert case.service_kind == "eligibility"
    assert case.status == CaseStatus.APPROVED
    assert case.decisions.get().automatic
    assert case.amount is None
    assert not PaymentInstruction.objects.exists()
    page = client.get(
        reverse("cases:my_case", args=[case.public_id]), headers=_headers("en")
    ).content.decode()
    assert "Your entitlement is recognised and recorded. No money is paid." in page
    assert "<dt>Amount</dt>" not in page


def test_the_api_names_the_kind_and_gives_no_amount_nor_payment(
    client: Client, senior: User, entitlement: Offer, settings: Any
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 0
    client.force_login(senior)
    (listed,) = client.get("/api/v1/offers/").json()
    assert listed["service"] == SERVICE
    assert listed["service_kind"] == "eligibility"
    assert listed["amount"] is None
    assert listed["currency"] == ""
    response = client.post(
        f"/api/v1/offers/{entitlement.public_id}/confirm",
        data=json.dumps({"version": listed["version"]}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    case = client.get(f"/api/v1/cases/mine/{response.json()['case']}").json()
    assert case["service_kind"] == "eligibility"
    assert case["status"] == "approved"
    assert case["amount"] is None
    assert case["payments"] == []
