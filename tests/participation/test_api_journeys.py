"""The participation API does what the pages do: a citizen asks an agency for information,
follows the request to its deemed refusal and objects; opens a public petition; another
citizen's request is 404 and nothing changes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from gov3.accounts.models import Agency, User
from gov3.accounts.services import do_create_citizen_account
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import DisclosureObjection, DisclosureRequest, PublicPetition
from gov3.participation.services.disclosure import deemed_refused, do_request_disclosure
from gov3.registry.models import Person
from tests.api.test_offers_cases_api import sign_in_citizen
from tests.conftest import ACTOR, PASSWORD
from tests.participation.conftest import API, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(areas: None) -> dict[str, Agency]:
    load_agencies("kr")
    return {a.code: a for a in Agency.objects.filter(country="kr")}


def test_a_disclosure_request_is_asked_for_followed_and_kept_from_others(
    citizen: User, family: dict[str, Person], agencies: dict[str, Agency]
) -> None:
    client = sign_in_citizen(citizen)
    response = send(
        client,
        "/disclosure-requests",
        {"agency": "kr-district-office", "subject": "통학로 교통안전 예산 집행 내역"},
    )
    assert response.status_code == 200, response.content[:300]
    asked = response.json()
    assert asked["agency"] == "kr-district-office"
    assert asked["received_on"] == timezone.localdate().isoformat()
    assert asked["decision"] == ""
    assert asked["deemed_refused"] is False
    assert asked["objection_until"] is None  # the agency can still decide
    listed = client.get(f"{API}/disclosure-requests").json()
    assert [r["id"] for r in listed] == [asked["id"]]
    assert client.get(f"{API}/disclosure-requests/{asked['id']}").json() == asked

    # nothing to object to while the agency can still decide
    refused = send(client, f"/disclosure-requests/{asked['id']}/objection", {"text": "왜?"})
    assert refused.status_code == 422
    assert not DisclosureObjection.objects.exists()

    # an unknown agency and another country's agency are refused; nothing is stored
    for agency in ("no-such-agency", ""):
        bad = send(client, "/disclosure-requests", {"agency": agency, "subject": "예산"})
        assert bad.status_code in {404, 422}, bad.content[:300]
    assert DisclosureRequest.objects.count() == 1

    # another citizen sees none of it, by list or by id, and cannot object to it
    other = do_create_citizen_account(
        ACTOR, person=family["stranger"], username="cheolsu", password=PASSWORD
    )
    stranger = sign_in_citizen(other)
    assert stranger.get(f"{API}/disclosure-requests").json() == []
    assert stranger.get(f"{API}/disclosure-requests/{asked['id']}").status_code == 404
    sneaky = send(stranger, f"/disclosure-requests/{asked['id']}/objection", {"text": "x"})
    assert sneaky.status_code == 404
    assert stranger.get(f"{API}/disclosure-requests/{uuid.uuid4()}").status_code == 404
    assert not DisclosureObjection.objects.exists()


def test_a_request_with_no_decision_is_deemed_refused_and_objected_to_once(
    citizen: User, agencies: dict[str, Agency]
) -> None:
    today = timezone.localdate()
    # received five weeks ago: ten working days have passed whatever the holidays
    old = do_request_disclosure(
        citizen,
        agency_code="kr-district-office",
        subject="가로등 보수 예산",
        today=today - timedelta(days=35),
    )
    assert deemed_refused(old, today)
    client = sign_in_citizen(citizen)
    shown = client.get(f"{API}/disclosure-requests/{old.public_id}").json()
    assert shown["deemed_refused"] is True
    assert shown["objection_until"] is not None
    assert shown["objection_until"] >= today.isoformat()

    objected = send(
        client, f"/disclosure-requests/{old.public_id}/objection", {"text": "결정이 없습니다"}
    )
    assert objected.status_code == 200, objected.content[:300]
    assert objected.json()["objection"] == "open"
    assert objected.json()["objection_until"] is None
    again = send(client, f"/disclosure-requests/{old.public_id}/objection", {"text": "다시"})
    assert again.status_code == 422
    assert DisclosureObjection.objects.count() == 1
    empty = send(client, f"/disclosure-requests/{old.public_id}/objection", {"text": ""})
    assert empty.status_code == 422


def test_a_public_petition_is_opened_through_the_api(
    citizen: User, agencies: dict[str, Agency]
) -> None:
    client = sign_in_citizen(citizen)
    body = {
        "category": "roads",
        "title": "통학로에 횡단보도를",
        "text": "초등학교 앞 통학로에 횡단보도를 설치해 주세요.",
    }
    bad = send(client, "/public-petitions", body | {"category": "no-such-subject"})
    assert bad.status_code == 422
    too_long = send(client, "/public-petitions", body | {"title": "x" * 201})
    assert too_long.status_code == 422
    assert not PublicPetition.objects.exists()

    opened = send(client, "/public-petitions", body)
    assert opened.status_code == 200, opened.content[:300]
    petition = opened.json()
    assert petition["signatures"] == 0
    assert petition["threshold"] > 0
    assert petition["status"] == "open"
    assert petition["closes_on"] > petition["opened_on"]
    assert PublicPetition.objects.get().agency.code == petition["agency"]
    # and it is signed through the API too (once per person)
    signed = send(client, f"/public-petitions/{petition['id']}/signatures", {})
    assert signed.status_code == 200
    assert signed.json()["signatures"] == 1
