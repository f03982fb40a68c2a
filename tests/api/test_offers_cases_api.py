"""The offers and cases API (/api/v1/offers/, /api/v1/cases/, /api/v1/open-data/) through HTTP
only: a parent answers the offers a birth brought, an officer decides the case, a stranger and a
request without the CSRF token change nothing, and take-up is published without personal data.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.cases.models import Case, CaseStatus, Decision, Objection
from gov3.cases.takeup import MEASURES, take_up
from gov3.core.models import AccessChannel, AccessLogEntry
from gov3.offers.models import ConsentReceipt, Offer, OfferStatus
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, current_totp

API = "/api/v1"


def sign_in_citizen(user: User) -> Client:
    """Sign in on the citizen page as a browser would; the API then needs the CSRF cookie's
    token in the X-CSRFToken header."""
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.get(reverse("portal:login"))
    response = client.post(
        reverse("portal:login"),
        {
            "username": user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302, response.content
    return client


def sign_in_officer(user: User, device: Any) -> Client:
    """Sign in on the back office with password and TOTP code."""
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.get(reverse("backoffice:login"))
    response = client.post(
        reverse("backoffice:login"),
        {
            "username": user.username,
            "password": PASSWORD,
            "otp_token": current_totp(device),
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302, response.content
    return client


def post(client: Client, path: str, data: dict[str, Any], *, csrf: bool = True) -> Any:
    """POST JSON to the API, with the CSRF token unless told otherwise."""
    headers = {"x-csrftoken": client.cookies["csrftoken"].value} if csrf else {}
    return client.post(
        f"{API}{path}", data=json.dumps(data), content_type="application/json", headers=headers
    )


def state() -> dict[str, Any]:
    """What the tests must see unchanged after a refused request."""
    return {
        "offers": sorted(Offer.objects.values_list("public_id", "status", "version")),
        "receipts": ConsentReceipt.objects.count(),
        "cases": sorted(Case.objects.values_list("public_id", "status", "version")),
        "decisions": Decision.objects.count(),
        "objections": Objection.objects.count(),
    }


@pytest.fixture
def baby(
    register_birth: Callable[..., Person], citizen: User, welfare_agency: Agency, settings: Any
) -> Person:
    """A baby of the citizen's; every case is sampled for quality control (an officer decides)."""
    settings.GOV3_QC_SAMPLE_RATE = 1
    return register_birth()


@pytest.fixture
def parent(citizen: User, baby: Person) -> Client:
    return sign_in_citizen(citizen)


@pytest.fixture
def stranger(family: dict[str, Person]) -> Client:
    user = do_create_citizen_account(
        ACTOR, person=family["stranger"], username="stranger", password=PASSWORD
    )
    return sign_in_citizen(user)


def offers_by_service(client: Client) -> dict[str, dict[str, Any]]:
    response = client.get(f"{API}/offers/")
    assert response.status_code == 200, response.content
    return {offer["service"]: offer for offer in response.json()}


def officer_of(agency: Agency, username: str) -> Client:
    user, device = do_create_officer_account(
        ACTOR,
        username=username,
        password=PASSWORD,
        agency=agency,
        role=OfficerRole.WELFARE_OFFICER,
    )
    return sign_in_officer(user, device)


def confirm(client: Client, offer: dict[str, Any]) -> Any:
    return post(client, f"/offers/{offer['id']}/confirm", {"version": offer["version"]})


# --- the parent and her offers ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_parent_lists_opens_and_confirms_an_offer_once(parent: Client, baby: Person) -> None:
    offers = offers_by_service(parent)
    assert set(offers) == {"child_allowance", "parent_benefit", "first_meeting_voucher"}
    allowance = offers["child_allowance"]
    assert allowance["status"] == OfferStatus.NOTIFIED
    assert allowance["for_person"] == str(baby.public_id)
    assert allowance["for_someone_else"] is True
    assert allowance["amount"] == 100_000

    response = parent.get(f"{API}/offers/{allowance['id']}")
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == OfferStatus.VIEWED
    assert detail["explanation"]  # why: in the language of the request
    assert detail["facts"]
    assert detail["legal_basis"]
    assert detail["case"] is None
    assert detail["version"] > allowance["version"]
    assert Offer.objects.get(public_id=allowance["id"]).status == OfferStatus.VIEWED

    response = confirm(parent, detail)
    assert response.status_code == 200, response.content
    receipt = response.json()
    assert receipt["offer"] == allowance["id"]
    assert len(receipt["agreement_sha256"]) == 64
    assert len(receipt["offer_sha256"]) == 64
    assert receipt["acting_for"] == str(baby.public_id)
    case = Case.objects.get(offer__public_id=allowance["id"])
    assert receipt["case"] == str(case.public_id)

    again = confirm(parent, detail)  # the old version: the first receipt, not a second case
    assert again.status_code == 200, again.content
    assert again.json() == receipt
    assert ConsentReceipt.objects.filter(offer__public_id=allowance["id"]).count() == 1
    assert Case.objects.filter(offer__public_id=allowance["id"]).count() == 1
    assert parent.get(f"{API}/offers/{allowance['id']}").json()["case"] == str(case.public_id)

    mine = parent.get(f"{API}/cases/")
    assert mine.status_code == 200
    assert [c["id"] for c in mine.json()] == [str(case.public_id)]
    one = parent.get(f"{API}/cases/mine/{case.public_id}")
    assert one.status_code == 200
    assert one.json()["status"] == CaseStatus.IN_REVIEW
    assert one.json()["quality_check"] is True


@pytest.mark.django_db
def test_declining_needs_a_reason(parent: Client) -> None:
    offer = offers_by_service(parent)["parent_benefit"]
    before = state()
    missing = post(parent, f"/offers/{offer['id']}/decline", {"version": offer["version"]})
    assert missing.status_code == 422
    blank = post(
        parent, f"/offers/{offer['id']}/decline", {"version": offer["version"], "reason": "  "}
    )
    assert blank.status_code == 422
    assert blank.json() == {"detail": "Please say why you decline this offer.", "code": "invalid"}
    assert state() == before

    response = post(
        parent,
        f"/offers/{offer['id']}/decline",
        {"version": offer["version"], "reason": "We live abroad."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == OfferStatus.DECLINED
    declined = Offer.objects.get(public_id=offer["id"])
    assert (declined.status, declined.decline_reason) == (OfferStatus.DECLINED, "We live abroad.")

    late = confirm(parent, response.json())  # answered offers cannot be confirmed
    assert late.status_code == 422
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_an_answer_to_an_offer_that_changed_since_is_refused(parent: Client) -> None:
    offer = offers_by_service(parent)["parent_benefit"]
    assert parent.get(f"{API}/offers/{offer['id']}").status_code == 200  # now viewed, version+1
    before = state()
    response = confirm(parent, offer)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert state() == before


@pytest.mark.django_db
def test_a_parent_objects_to_an_offer(parent: Client, welfare_agency: Agency) -> None:
    offer = offers_by_service(parent)["first_meeting_voucher"]
    assert post(parent, f"/offers/{offer['id']}/objection", {"text": ""}).status_code == 422
    assert post(parent, f"/offers/{offer['id']}/objection", {"text": " "}).status_code == 422
    assert not Objection.objects.exists()
    response = post(parent, f"/offers/{offer['id']}/objection", {"text": "The father is missing."})
    assert response.status_code == 201, response.content
    objection = Objection.objects.get()
    assert response.json() == {
        "id": str(objection.public_id),
        "due_on": objection.due_on.isoformat(),
    }
    assert objection.agency == welfare_agency
    assert objection.offer is not None
    assert str(objection.offer.public_id) == offer["id"]


@pytest.mark.django_db
def test_another_citizen_gets_404_for_her_offers_and_nothing_changes(
    parent: Client, stranger: Client
) -> None:
    offers = offers_by_service(parent)
    assert offers_by_service(stranger).keys().isdisjoint(offers.keys())
    before = state()
    for offer in offers.values():
        path = f"/offers/{offer['id']}"
        assert stranger.get(f"{API}{path}").status_code == 404
        assert confirm(stranger, offer).status_code == 404
        declined = post(
            stranger, f"{path}/decline", {"version": offer["version"], "reason": "Not mine."}
        )
        assert declined.status_code == 404
        assert post(stranger, f"{path}/objection", {"text": "Wrong."}).status_code == 404
    assert state() == before
    assert {o["status"] for o in offers_by_service(parent).values()} == {OfferStatus.NOTIFIED}


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused(parent: Client) -> None:
    offer = offers_by_service(parent)["child_allowance"]
    before = state()
    for path, data in (
        (f"/offers/{offer['id']}/confirm", {"version": offer["version"]}),
        (f"/offers/{offer['id']}/decline", {"version": offer["version"], "reason": "No."}),
        (f"/offers/{offer['id']}/objection", {"text": "Wrong."}),
        ("/cases/apply", {"service": "child_allowance"}),
    ):
        response = post(parent, path, data, csrf=False)
        assert response.status_code == 403, path
    assert state() == before


@pytest.mark.django_db
def test_a_malformed_id_is_refused_not_a_server_error(
    parent: Client, queued: list[str], welfare_agency: Agency
) -> None:
    """Found by the fuzzer: an id that is no UUID used to reach the database (500)."""
    officer = officer_of(welfare_agency, "welfare1")
    before = state()
    for client, method, path in (
        (parent, "get", "/offers/0"),
        (parent, "post", "/offers/0/confirm"),
        (parent, "post", "/offers/wrong_format/decline"),
        (parent, "post", "/offers/%25/objection"),
        (parent, "get", "/cases/mine/0"),
        (parent, "post", "/cases/mine/0/reply"),
        (officer, "get", "/cases/queue/wrong_format"),
        (officer, "post", "/cases/queue/0/decide"),
    ):
        if method == "get":
            response = client.get(f"{API}{path}")
        else:
            response = post(client, path, {"version": 1, "reason": "x", "text": "x"})
        assert response.status_code == 422, (path, response.content)
        assert ["path", "public_id"] in [error["loc"] for error in response.json()["errors"]]
    assert state() == before


@pytest.mark.django_db
def test_a_notifications_page_far_past_the_end_is_empty(parent: Client) -> None:
    """Found by the fuzzer: an offset beyond 2**63 overflowed the SQL OFFSET (500)."""
    response = parent.get(f"{API}/notifications/", {"offset": 2**63, "limit": 1})
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []
    assert response.json()["total"] >= 1  # the birth's offers were notified


@pytest.mark.django_db
def test_signed_out_callers_get_401(baby: Person) -> None:
    anonymous = Client()
    offer = Offer.objects.filter(subject=baby).first()
    assert offer is not None
    assert anonymous.get(f"{API}/offers/").status_code == 401
    assert anonymous.get(f"{API}/offers/{offer.public_id}").status_code == 401
    assert anonymous.get(f"{API}/cases/queue").status_code == 401
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.NOTIFIED


@pytest.mark.django_db
def test_applying_opens_a_case_only_when_the_rules_say_yes(
    parent: Client, family: dict[str, Person]
) -> None:
    no = post(parent, "/cases/apply", {"service": "basic_pension"})
    assert no.status_code == 200, no.content
    assert no.json() == {"eligible": False, "case": None}
    for_son = post(
        parent,
        "/cases/apply",
        {"service": "child_allowance", "for_person": str(family["son"].public_id)},
    )
    assert for_son.status_code == 200, for_son.content
    assert for_son.json()["eligible"] is True
    assert for_son.json()["case"]["for_person"] == str(family["son"].public_id)
    before = state()
    stranger = post(
        parent,
        "/cases/apply",
        {"service": "child_allowance", "for_person": str(family["stranger"].public_id)},
    )
    assert stranger.status_code == 404
    assert post(parent, "/cases/apply", {"service": "no_such_service"}).status_code == 404
    assert state() == before


# --- the officer and the queue ---------------------------------------------------------------


@pytest.fixture
def queued(parent: Client) -> list[dict[str, Any]]:
    """Two confirmed offers whose cases wait in the welfare agency's queue."""
    offers = offers_by_service(parent)
    cases = []
    for service in ("child_allowance", "parent_benefit"):
        response = confirm(parent, offers[service])
        assert response.status_code == 200, response.content
        cases.append(response.json()["case"])
    assert Case.objects.filter(status=CaseStatus.IN_REVIEW, quality_check=True).count() == 2
    return cases


@pytest.mark.django_db
def test_an_officer_decides_a_queued_case_once(
    queued: list[str], welfare_agency: Agency, baby: Person, citizen: User
) -> None:
    officer = officer_of(welfare_agency, "welfare1")
    response = officer.get(f"{API}/cases/queue")
    assert response.status_code == 200, response.content
    assert {c["id"] for c in response.json()} == set(queued)

    case_id = queued[0]
    before = AccessLogEntry.objects.count()
    response = officer.get(f"{API}/cases/queue/{case_id}")
    assert response.status_code == 200, response.content
    seen = response.json()
    assert seen["status"] == CaseStatus.IN_REVIEW
    logged = AccessLogEntry.objects.filter(actor_label="welfare1")
    assert AccessLogEntry.objects.count() > before
    assert set(logged.values_list("channel", flat=True)) == {AccessChannel.API}
    assert baby.pk in set(logged.values_list("subject_id", flat=True))
    assert citizen.person_id in set(logged.values_list("subject_id", flat=True))

    approved = post(
        officer, f"/cases/queue/{case_id}/decide", {"version": seen["version"], "action": "approve"}
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == CaseStatus.APPROVED
    assert approved.json()["payments"][0]["sandbox"] is True

    stale = post(
        officer,
        f"/cases/queue/{case_id}/decide",
        {"version": seen["version"], "action": "reject", "text": "Too late."},
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    case = Case.objects.get(public_id=case_id)
    assert case.status == CaseStatus.APPROVED
    assert case.decisions.count() == 1
    assert case_id not in {c["id"] for c in officer.get(f"{API}/cases/queue").json()}


@pytest.mark.django_db
def test_a_rejection_needs_a_reason(queued: list[str], welfare_agency: Agency) -> None:
    officer = officer_of(welfare_agency, "welfare1")
    case_id = queued[1]
    version = officer.get(f"{API}/cases/queue/{case_id}").json()["version"]
    before = state()
    response = post(
        officer, f"/cases/queue/{case_id}/decide", {"version": version, "action": "reject"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert (
        post(
            officer, f"/cases/queue/{case_id}/decide", {"version": version, "action": "maybe"}
        ).status_code
        == 422
    )
    assert state() == before
    rejected = post(
        officer,
        f"/cases/queue/{case_id}/decide",
        {"version": version, "action": "reject", "text": "The child lives abroad."},
    )
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["decisions"][0]["reason"] == "The child lives abroad."


@pytest.mark.django_db
def test_an_officer_of_another_agency_gets_404(queued: list[str]) -> None:
    other = do_create_agency(
        ACTOR,
        code="kr-mofa",
        name_local="외교부",
        name_en="MOFA",
        country="kr",
        services=["passport_renewal"],
    )
    outsider = officer_of(other, "outsider")
    assert outsider.get(f"{API}/cases/queue").json() == []
    before = state()
    logs = AccessLogEntry.objects.count()
    for case_id in queued:
        assert outsider.get(f"{API}/cases/queue/{case_id}").status_code == 404
        response = post(
            outsider, f"/cases/queue/{case_id}/decide", {"version": 1, "action": "approve"}
        )
        assert response.status_code == 404
    assert state() == before
    assert AccessLogEntry.objects.count() == logs  # nothing was read


@pytest.mark.django_db
def test_a_citizen_has_no_work_queue(parent: Client, queued: list[str]) -> None:
    response = parent.get(f"{API}/cases/queue")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_refused"
    assert parent.get(f"{API}/cases/queue/{queued[0]}").status_code == 403
    before = state()
    assert (
        post(
            parent, f"/cases/queue/{queued[0]}/decide", {"version": 1, "action": "approve"}
        ).status_code
        == 403
    )
    assert state() == before


@pytest.mark.django_db
def test_an_officer_without_the_second_factor_is_refused(
    queued: list[str], welfare_agency: Agency
) -> None:
    user, _device = do_create_officer_account(
        ACTOR,
        username="nototp",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )
    client = Client()
    client.force_login(user)
    assert client.get(f"{API}/cases/queue").status_code == 401
    assert client.get(f"{API}/cases/queue/{queued[0]}").status_code == 401


# --- open data -------------------------------------------------------------------------------


def personal_values() -> set[str]:
    """Every person's national id, names and public id."""
    values: set[str] = set()
    for person in Person.objects.all():
        values |= {person.national_id, person.name_local, person.name_latin, str(person.public_id)}
    return {value for value in values if value}


@pytest.mark.django_db
def test_take_up_is_open_data_without_personal_data_and_small_cells_suppressed(
    queued: list[str], settings: Any
) -> None:
    response = Client().get(f"{API}/open-data/take-up")  # nobody signed in
    assert response.status_code == 200, response.content
    text = response.content.decode()
    for value in personal_values():
        assert value not in text, value
    body = response.json()
    assert body["country"] == settings.GOV3_COUNTRY
    assert body["measures"] == list(MEASURES)
    assert body["suppressed_below"] == 5

    raw = {(r.service, r.province): r for r in take_up("kr", timezone.localdate())}
    published = {(r["service"], r["area"]): r for r in body["rows"]}
    assert published.keys() == raw.keys()
    suppressed = 0
    for key, row in published.items():
        for measure in MEASURES:
            count = getattr(raw[key], measure)
            if 1 <= count <= 4:
                assert row[measure] is None, (key, measure)
                suppressed += 1
            else:
                assert row[measure] == count, (key, measure)
    allowance = next(row for key, row in published.items() if key[0] == "child_allowance")
    assert allowance["offered"] is None  # one baby: one offer
    assert allowance["confirmed"] is None
    assert suppressed >= 4


@pytest.mark.django_db
def test_take_up_csv_needs_no_sign_in_and_leaves_suppressed_cells_empty(
    queued: list[str],
) -> None:
    response = Client().get("/open-data/take-up.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    for value in personal_values():
        assert value not in text, value
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    assert list(rows[0].keys()) == ["service", "area", *MEASURES]
    raw = {(r.service, r.province): r for r in take_up("kr", timezone.localdate())}
    assert {(row["service"], row["area"]) for row in rows} == raw.keys()
    for row in rows:
        counts = raw[(row["service"], row["area"])]
        for measure in MEASURES:
            count = getattr(counts, measure)
            assert row[measure] == ("" if 1 <= count <= 4 else str(count)), (row, measure)
    allowance = next(row for row in rows if row["service"] == "child_allowance")
    assert allowance["offered"] == ""
    api = Client().get(f"{API}/open-data/take-up").json()["rows"]
    assert [{k: "" if v is None else str(v) for k, v in r.items()} for r in api] == rows
