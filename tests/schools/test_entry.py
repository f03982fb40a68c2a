"""The school-entry round: roster from the register on the reference date, the school from the
address and the places, the notice as an offer the guardian confirms, requests to the
education office, and the follow-up list. The clock is fixed at 10 November 2026 (the notice
season of the round for entry in 2027)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from gov3.accounts.models import OfficerRole
from gov3.accounts.services import (
    do_create_agency,
    do_create_officer_account,
)
from gov3.cases.models import Case, CaseStatus
from gov3.cases.services import do_reject_case
from gov3.core.errors import ValidationFailedError
from gov3.core.models import AccessLogEntry
from gov3.notifications.models import Notification
from gov3.offers.models import Offer, OfferStatus
from gov3.offers.services import do_confirm_offer
from gov3.offers.views import proposed_view
from gov3.registry.models import Person
from gov3.registry.services import do_register_move
from gov3.schools.entry import do_build_entry_round, do_request_entry_change, reference_date
from gov3.schools.models import Enrolment, Placement, PlacementStatus, School
from tests.api.test_offers_cases_api import sign_in_officer
from tests.conftest import PASSWORD
from tests.schools.conftest import ACTOR, TODAY, citizen_client


def test_the_roster_follows_the_age_rule_and_the_school_the_address_and_places(
    world: dict[str, Any],
) -> None:
    assert reference_date("kr", 2027) == date(2026, 10, 1)
    entry_round = do_build_entry_round(ACTOR, "kr", 2027)
    placements = {p.child_id: p for p in Placement.objects.filter(round=entry_round)}
    on_roster = {world[k].pk for k in ("jan1", "feb29", "dec31", "alone")}
    assert set(placements) == on_roster  # not the child born 31.12.2019 nor 1.1.2021
    jan1, feb29 = placements[world["jan1"].pk], placements[world["feb29"].pk]
    assert (jan1.school.code, jan1.reason) == ("KR-S-0002", "district")
    # Maedong has one place: the next child goes to the district's next school, and why.
    assert (feb29.school.code, feb29.reason, feb29.passed_over) == (
        "KR-S-0001",
        "overflow",
        ["KR-S-0002"],
    )
    offer = feb29.offer
    assert offer is not None
    assert offer.recipient == world["third"]
    proposed = proposed_view(offer)
    assert proposed is not None
    rows = dict(proposed["rows"])
    assert rows["School assigned"] == "Cheongun Elementary School (청운초등학교)"
    assert "Maedong Elementary School" in rows["Why this school"]
    assert "no first-grade place left" in rows["Why this school"]
    # The guardian who is not the head of household receives her child's notice.
    assert placements[world["dec31"].pk].offer.recipient == world["second"]
    # No parent in the register: no offer, the follow-up list.
    alone = placements[world["alone"].pk]
    assert (alone.status, alone.offer) == (PlacementStatus.NO_GUARDIAN, None)
    # Built again: nobody twice.
    do_build_entry_round(ACTOR, "kr", 2027)
    assert Placement.objects.count() == 4
    assert Offer.objects.filter(service_id="school_enrolment_notice").count() == 3


def test_the_guardian_reads_the_school_and_why_worked_out_from_the_placement(
    world: dict[str, Any],
) -> None:
    """The notice stores where its placement is, not the text: the offer page says the school
    and why, in the guardian's language, with the link to ask for something else."""
    do_build_entry_round(ACTOR, "kr", 2027)
    placement = Placement.objects.get(child=world["feb29"])  # the overflow child
    assert placement.offer is not None
    assert placement.offer.trigger_detail == {
        "school_entry_round": 2027,
        "proposed_by": "school_entry_round",
    }
    client, _ = citizen_client(world["third"], "third")
    url = reverse("offers:offer", args=[placement.offer.public_id])
    text = client.get(url).content.decode()
    assert "Cheongun Elementary School (청운초등학교)" in text
    assert (
        "The first school of the district of the registered address (Sajik-dong), "
        "Maedong Elementary School (매동초등학교), has no first-grade place left; "
        "Cheongun Elementary School (청운초등학교) is the next school of the district."
    ) in text
    assert f"/me/schools/entry/{placement.public_id}/request/" in text
    korean = client.get(url, headers={"accept-language": "ko"}).content.decode()
    assert "청운초등학교" in korean
    assert "Cheongun Elementary School" not in korean


def test_the_guardian_confirms_and_the_school_lists_the_child(world: dict[str, Any]) -> None:
    do_build_entry_round(ACTOR, "kr", 2027)
    client, user = citizen_client(world["first"], "first")
    placement = Placement.objects.get(child=world["jan1"])
    page = client.get(reverse("offers:offer", args=[placement.offer.public_id]))
    text = page.content.decode()
    assert "What is proposed" in text
    assert "Maedong Elementary School" in text
    assert "first school of the school district" in text
    offer = Offer.objects.get(pk=placement.offer.pk)
    do_confirm_offer(user, offer, expected_version=offer.version, language="en")
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.CONFIRMED
    enrolment = Enrolment.objects.get(learner__person=world["jan1"])
    assert (enrolment.school.code, enrolment.grade, enrolment.started_on) == (
        "KR-S-0002",
        1,
        date(2027, 3, 1),
    )
    records = client.get(reverse("schools:my_learners")).content.decode()
    assert "김일월" in records
    officer, device = do_create_officer_account(
        ACTOR,
        username="edu1",
        password=PASSWORD,
        agency=world["office"],
        role=OfficerRole.WELFARE_OFFICER,
    )
    office = sign_in_officer(officer, device)
    entrants = office.get(reverse("schools:officer_entrants", args=["KR-S-0002", 2027]))
    assert "김일월" in entrants.content.decode()
    assert "Confirmed by the guardian" in entrants.content.decode()
    assert AccessLogEntry.objects.filter(
        subject_id=world["jan1"].pk, what="entrants of KR-S-0002"
    ).exists()
    follow_up = office.get(reverse("schools:officer_follow_up")).content.decode()
    assert "이혼자" in follow_up
    assert "김일월" not in follow_up
    assert AccessLogEntry.objects.filter(
        subject_id=world["alone"].pk, what="school-entry follow-up list"
    ).exists()


def test_a_deferral_goes_to_the_education_office_which_decides(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    do_build_entry_round(ACTOR, "kr", 2027)
    client, user = citizen_client(world["second"], "second")
    placement = Placement.objects.get(child=world["dec31"])
    url = reverse("schools:entry_request", args=[placement.public_id])
    empty = client.post(url, {"kind": "deferral", "reason": " "})
    assert empty.status_code == 400
    assert Case.objects.count() == 0
    sent = client.post(url, {"kind": "deferral", "reason": "Born on 31 December; not ready."})
    case = Case.objects.get(service_id="school_entry_request")
    assert sent.status_code == 302
    assert sent["Location"] == reverse("cases:my_case", args=[case.public_id])
    assert (case.agency, case.status, case.subject) == (
        world["office"],
        CaseStatus.IN_REVIEW,
        world["dec31"],
    )
    assert case.evidence["request"]["kind"] == "deferral"
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.REQUESTED
    with pytest.raises(ValidationFailedError, match="already answered"):
        do_request_entry_change(user, placement, kind="early", reason="again")
    # The request answered the notice: the school first proposed can no longer be confirmed.
    offer = Offer.objects.get(pk=placement.offer_id)
    assert (offer.status, offer.decline_reason) == (
        OfferStatus.DECLINED,
        "Born on 31 December; not ready.",
    )
    with pytest.raises(ValidationFailedError, match="can no longer be answered"):
        do_confirm_offer(user, offer, expected_version=offer.version, language="en")
    assert not Enrolment.objects.filter(learner__person=world["dec31"]).exists()
    officer, _ = do_create_officer_account(
        ACTOR,
        username="edu2",
        password=PASSWORD,
        agency=world["office"],
        role=OfficerRole.WELFARE_OFFICER,
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_reject_case(
            officer, case, expected_version=case.version, reason="Entry at 6 is the rule."
        )
    notice = Notification.objects.filter(person=world["second"]).order_by("-pk").first()
    assert notice is not None
    assert "Entry at 6 is the rule." in str(notice.body)


def test_another_familys_notice_is_not_found_and_nothing_is_logged(world: dict[str, Any]) -> None:
    do_build_entry_round(ACTOR, "kr", 2027)
    client, _ = citizen_client(world["first"], "first")
    theirs = Placement.objects.get(child=world["feb29"])
    logged = AccessLogEntry.objects.count()
    assert client.get(reverse("schools:entry_request", args=[theirs.public_id])).status_code == 404
    response = client.post(
        reverse("schools:entry_request", args=[theirs.public_id]),
        {"kind": "deferral", "reason": "x"},
    )
    assert response.status_code == 404
    assert AccessLogEntry.objects.count() == logged
    assert Case.objects.count() == 0
    officer, device = do_create_officer_account(
        ACTOR,
        username="other",
        password=PASSWORD,
        agency=do_create_agency(
            ACTOR, code="kr-other", name_local="다른기관", name_en="Other", country="kr"
        ),
        role=OfficerRole.WELFARE_OFFICER,
    )
    other = sign_in_officer(officer, device)
    assert other.get(reverse("schools:officer_follow_up")).status_code == 404
    assert AccessLogEntry.objects.count() == logged


def test_a_move_to_another_district_proposes_a_transfer_the_guardian_confirms(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    do_build_entry_round(ACTOR, "kr", 2027)
    _, user = citizen_client(world["first"], "first")
    notice = Placement.objects.get(child=world["jan1"]).offer
    do_confirm_offer(user, notice, expected_version=notice.version, language="en")
    household = Person.objects.get(pk=world["first"].pk).household
    with django_capture_on_commit_callbacks(execute=True):
        do_register_move(
            ACTOR, household, area_code="11650-01", street="서초대로 1", moved_on=TODAY
        )
    offer = Offer.objects.get(service_id="school_transfer", subject=world["jan1"])
    assert offer.recipient == world["first"]
    rows = dict(offer.trigger_detail["proposed"]["en"]["rows"])
    assert rows["New school"] == "Seocho Elementary School (서초초등학교)"
    assert "Maedong Elementary School" in rows["Why this school"]
    with django_capture_on_commit_callbacks(execute=True):
        do_confirm_offer(user, offer, expected_version=offer.version, language="en")
    history = list(Enrolment.objects.filter(learner__person=world["jan1"]).order_by("pk"))
    assert [(e.school.code, e.end_reason) for e in history] == [
        ("KR-S-0002", "transferred"),
        ("KR-S-0005", ""),
    ]


def test_a_notice_another_guardian_answered_with_a_request_cannot_be_confirmed(
    world: dict[str, Any],
) -> None:
    do_build_entry_round(ACTOR, "kr", 2027)
    _, user = citizen_client(world["first"], "first")
    placement = Placement.objects.get(child=world["jan1"])
    # As when the child's other guardian (not the notice's recipient) asked for a deferral.
    Placement.objects.filter(pk=placement.pk).update(status=PlacementStatus.REQUESTED)
    offer = Offer.objects.get(pk=placement.offer_id)
    with pytest.raises(ValidationFailedError, match="with the education office"):
        do_confirm_offer(user, offer, expected_version=offer.version, language="en")
    offer.refresh_from_db()
    assert offer.status != OfferStatus.CONFIRMED
    assert not Enrolment.objects.filter(learner__person=world["jan1"]).exists()


def test_a_transfer_to_a_full_school_proposes_the_next_school_with_a_place_or_none(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    do_build_entry_round(ACTOR, "kr", 2027)
    _, user = citizen_client(world["first"], "first")
    notice = Placement.objects.get(child=world["jan1"]).offer
    do_confirm_offer(user, notice, expected_version=notice.version, language="en")
    household = Person.objects.get(pk=world["first"].pk).household
    School.objects.filter(code="KR-S-0005").update(capacity=0)  # Seocho is full
    with django_capture_on_commit_callbacks(execute=True):
        do_register_move(
            ACTOR, household, area_code="11650-01", street="서초대로 1", moved_on=TODAY
        )
    offer = Offer.objects.get(service_id="school_transfer", subject=world["jan1"])
    rows = dict(offer.trigger_detail["proposed"]["en"]["rows"])
    assert rows["New school"] == "Banpo Elementary School (반포초등학교)"
    assert "Seocho Elementary School (서초초등학교) is full" in rows["Why this school"]
    # Every school of the new district full: no new offer; the education office decides.
    School.objects.filter(code="KR-S-0006").update(capacity=0)
    with django_capture_on_commit_callbacks(execute=True):
        do_register_move(
            ACTOR, household, area_code="11650-01", street="서초대로 2", moved_on=TODAY
        )
    assert list(Offer.objects.filter(service_id="school_transfer", subject=world["jan1"])) == [
        offer
    ]
