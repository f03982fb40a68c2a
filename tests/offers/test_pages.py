"""The citizen's offer pages and the officer's case pages, through Django's test client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.cases.models import Case, CaseStatus, Decision, Objection
from gov3.core.models import AccessLogEntry
from gov3.offers.models import ConsentReceipt, Offer, OfferStatus
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, current_totp


@pytest.fixture
def mother_client(client: Client, citizen: User) -> Client:
    client.force_login(citizen)
    return client


@pytest.fixture
def voucher(register_birth: Callable[..., Person], welfare_agency: Agency) -> Offer:
    return Offer.objects.get(subject=register_birth(), service_id="first_meeting_voucher")


def test_the_inbox_lists_the_offers_with_amounts_and_deadlines(
    mother_client: Client, voucher: Offer
) -> None:
    page = mother_client.get(reverse("offers:inbox")).content.decode()
    assert "First Meeting Voucher" in page
    assert "For 이하늘" in page
    assert voucher.deadline.isoformat() in page


def test_opening_an_offer_explains_it_and_marks_it_viewed(
    mother_client: Client, voucher: Offer
) -> None:
    response = mother_client.get(reverse("offers:offer", args=[voucher.public_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The data used and where it came from" in page
    assert "law.go.kr" in page
    assert "I confirm, as the parent of 이하늘" in page
    voucher.refresh_from_db()
    assert voucher.status == OfferStatus.VIEWED


def test_confirm_then_the_page_links_to_the_case(
    mother_client: Client, voucher: Offer, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("offers:confirm", args=[voucher.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = mother_client.post(url, {"version": voucher.version})
    assert response.status_code == 302
    page = mother_client.get(response["Location"]).content.decode()
    assert "You confirmed this offer." in page
    case = Case.objects.get(offer=voucher)
    assert reverse("cases:my_case", args=[case.public_id]) in page
    # a second POST with the old version (a double click) opens no second case
    mother_client.post(url, {"version": voucher.version})
    assert Case.objects.filter(offer=voucher).count() == 1
    assert ConsentReceipt.objects.filter(offer=voucher).count() == 1


def test_decline_without_a_reason_is_refused_and_changes_nothing(
    mother_client: Client, voucher: Offer
) -> None:
    url = reverse("offers:decline", args=[voucher.public_id])
    response = mother_client.post(url, {"version": voucher.version, "reason": ""})
    assert response.status_code == 400
    assert Offer.objects.get(pk=voucher.pk).status == OfferStatus.NOTIFIED
    response = mother_client.post(url, {"version": voucher.version, "reason": "We moved abroad."})
    assert response.status_code == 302
    assert Offer.objects.get(pk=voucher.pk).status == OfferStatus.DECLINED


def test_a_forged_version_is_refused(mother_client: Client, voucher: Offer) -> None:
    url = reverse("offers:confirm", args=[voucher.public_id])
    response = mother_client.post(url, {"version": "not a number"})
    assert response.status_code == 400
    response = mother_client.post(url, {"version": voucher.version + 7})
    assert response.status_code == 400
    assert "changed while you were reading it" in response.content.decode()
    assert not Case.objects.exists()


def voucher_agency() -> Agency:
    return Agency.objects.get(code="kr-district")


def test_this_is_wrong_sends_an_objection_the_agency_sees(
    mother_client: Client, voucher: Offer
) -> None:
    url = reverse("offers:objection", args=[voucher.public_id])
    assert mother_client.post(url, {"text": ""}).status_code == 400
    response = mother_client.post(url, {"text": "The baby's father is not registered."})
    assert "Objection sent" in response.content.decode()
    assert Objection.objects.get().offer == voucher
    officer = _officer_client(voucher_agency(), "objections")
    assert (
        "The baby&#x27;s father is not registered."
        in officer.get(reverse("cases:queue")).content.decode()
    )


def test_another_citizen_gets_404_everywhere_and_nothing_changes(
    client: Client, voucher: Offer, family: dict[str, Person]
) -> None:
    stranger = do_create_citizen_account(
        ACTOR, person=family["stranger"], username="stranger", password=PASSWORD
    )
    client.force_login(stranger)
    for name, data in (
        ("offers:offer", None),
        ("offers:confirm", {"version": voucher.version}),
        ("offers:decline", {"version": voucher.version, "reason": "x"}),
        ("offers:objection", {"text": "x"}),
    ):
        url = reverse(name, args=[voucher.public_id])
        response = client.post(url, data) if data else client.get(url)
        assert response.status_code == 404, name
    voucher.refresh_from_db()
    assert voucher.status == OfferStatus.NOTIFIED
    assert voucher.viewed_at is None
    assert not Case.objects.exists()
    assert not Objection.objects.exists()


def test_pages_need_a_signed_in_citizen(client: Client, voucher: Offer) -> None:
    response = client.get(reverse("offers:offer", args=[voucher.public_id]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.fixture
def queued(
    voucher: Offer,
    citizen: User,
    settings: Any,
    mother_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> Case:
    settings.GOV3_QC_SAMPLE_RATE = 1
    with django_capture_on_commit_callbacks(execute=True):
        mother_client.post(
            reverse("offers:confirm", args=[voucher.public_id]), {"version": voucher.version}
        )
    return Case.objects.get(offer=voucher)


def _officer_client(agency: Agency, name: str) -> Client:
    user, device = do_create_officer_account(
        ACTOR, username=name, password=PASSWORD, agency=agency, role=OfficerRole.WELFARE_OFFICER
    )
    client = Client(headers={"accept-language": "en"})
    client.post(
        reverse("backoffice:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    return client


def test_an_officer_decides_from_the_queue_and_the_read_is_logged(
    queued: Case, welfare_agency: Agency
) -> None:
    officer = _officer_client(welfare_agency, "welfare1")
    queue = officer.get(reverse("cases:queue")).content.decode()
    assert reverse("cases:officer_case", args=[queued.public_id]) in queue
    page = officer.get(reverse("cases:officer_case", args=[queued.public_id]))
    assert "sampled for quality control" in page.content.decode()
    assert AccessLogEntry.objects.filter(subject_id=queued.subject_id, actor_label="welfare1")
    decide = reverse("cases:decide", args=[queued.public_id])
    refused = officer.post(decide, {"version": queued.version, "action": "reject", "text": ""})
    assert refused.status_code == 400
    assert officer.post(decide, {"version": queued.version, "action": "approve"}).status_code == 302
    stale = officer.post(decide, {"version": queued.version, "action": "reject", "text": "no"})
    assert "Someone else decided" in stale.content.decode()
    assert Decision.objects.filter(case=queued).count() == 1
    assert Case.objects.get(pk=queued.pk).status == CaseStatus.APPROVED


def test_an_officer_of_another_agency_cannot_open_the_case(queued: Case) -> None:
    other = do_create_agency(
        ACTOR, code="kr-other", name_local="다른", name_en="Other", country="kr", services=[]
    )
    outsider = _officer_client(other, "outsider")
    assert outsider.get(reverse("cases:officer_case", args=[queued.public_id])).status_code == 404
    response = outsider.post(
        reverse("cases:decide", args=[queued.public_id]),
        {"version": queued.version, "action": "approve"},
    )
    assert response.status_code == 404
    assert not Decision.objects.filter(case=queued).exists()


def test_the_take_up_dashboard_and_open_data(queued: Case, welfare_agency: Agency) -> None:
    officer = _officer_client(welfare_agency, "welfare2")
    page = officer.get(reverse("cases:dashboard")).content.decode()
    assert "Take-up of services" in page
    assert "<svg" in page
    data = Client().get(reverse("cases:open_take_up_json")).json()
    row = next(r for r in data["rows"] if r["service"] == "first_meeting_voucher")
    assert row["confirmed"] is None  # one confirmation: a small cell, suppressed
    assert "이하늘" not in str(data)
    csv_text = Client().get(reverse("cases:open_take_up_csv")).content.decode()
    assert csv_text.startswith("service,area,eligible,offered")


def test_apply_explains_and_opens_a_case_only_when_eligible(
    mother_client: Client, family: dict[str, Person], welfare_agency: Agency
) -> None:
    url = reverse("cases:apply", args=["basic_pension"])
    page = mother_client.get(url).content.decode()
    assert "Not eligible" in page
    mother_client.post(url)
    assert not Case.objects.exists()
    url = reverse("cases:apply", args=["child_allowance"]) + f"?for={family['son'].public_id}"
    assert "Eligible" in mother_client.get(url).content.decode()
    response = mother_client.post(url, {"for": family["son"].public_id})
    assert response.status_code == 302
    assert Case.objects.get().subject == family["son"]
    stranger_url = (
        reverse("cases:apply", args=["child_allowance"]) + f"?for={family['stranger'].public_id}"
    )
    assert mother_client.get(stranger_url).status_code == 404
    assert mother_client.get(reverse("cases:apply", args=["nothing"])).status_code == 404


def test_a_new_offer_shows_at_once_and_the_inbox_reads_no_offer_alone(
    mother_client: Client,
    register_birth: Callable[..., Person],
    welfare_agency: Agency,
    django_assert_num_queries: Any,
) -> None:
    """The inbox reads only the columns it shows (issue 15): a second child's offers appear on
    the next visit, each with what the list shows, and a longer list costs no more queries
    (nothing of an offer or its subject is loaded one by one)."""
    register_birth()
    first = mother_client.get(reverse("offers:inbox"))
    with CaptureQueriesContext(connection) as one_child:
        mother_client.get(reverse("offers:inbox"))
    register_birth(name="이바다")
    with CaptureQueriesContext(connection) as two_children:
        page = mother_client.get(reverse("offers:inbox")).content.decode()
    assert "For 이바다" in page
    assert "For 이하늘" in page
    assert page.count("First Meeting Voucher") == 2
    assert first.content.decode().count("First Meeting Voucher") == 1
    assert "Amount" in page
    assert "Answer by" in page
    assert len(two_children.captured_queries) == len(one_child.captured_queries)
