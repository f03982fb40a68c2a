"""Petitions through the real commands: routed, grouped and answered once for every
petitioner, transferred with history, extended once with a notice, rated, objected to within
the period; public petitions signed once; a broken draft refused with nothing published."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.catalogue.installed import rules_pack
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.notifications.models import Notification
from gov3.participation.installed import policy
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import Consultation, PetitionEvent, PetitionStatus
from gov3.participation.services.consultations import do_open_consultation
from gov3.participation.services.petitions import (
    do_answer_petition,
    do_extend_petition,
    do_file_petition,
    do_object_to_petition,
    do_rate_petition,
    do_split_petition,
    do_transfer_petition,
    objection_deadline,
)
from gov3.participation.services.public import do_open_public_petition, do_sign
from gov3.participation.services.submissions import Upload
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD

pytestmark = pytest.mark.django_db
TEXT = "종로 12번길 골목길, 가로등이 꺼져 밤에 도로가 너무 어둡습니다. 빠른 조치를 부탁드립니다."


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The commands' messages are matched in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def agencies(areas: None) -> dict[str, Agency]:
    load_agencies("kr")
    return {a.code: a for a in Agency.objects.all()}


@pytest.fixture
def stranger(family: dict[str, Person]) -> User:
    return do_create_citizen_account(
        ACTOR, person=family["stranger"], username="cheolsu", password=PASSWORD
    )


@pytest.fixture
def district_officer(agencies: dict[str, Agency]) -> User:
    return do_create_officer_account(
        ACTOR,
        username="jongno",
        password=PASSWORD,
        agency=agencies["kr-district-office"],
        role=OfficerRole.REGISTRY_OFFICER,
    )[0]


def _file(user: User, text: str = TEXT, category: str = "") -> Any:
    return do_file_petition(
        user, kind="complaint", category=category, area_code="1111051500", title="가로등", text=text
    )


def test_a_petition_is_routed_grouped_and_answered_once_for_both(
    citizen: User, stranger: User, district_officer: User
) -> None:
    first = _file(citizen)
    second = _file(stranger, "안녕하십니까. " + TEXT)  # the same petition, filed again
    assert first.agency.code == "kr-district-office"  # roads in Jongno-gu, by the classifier
    assert first.routing["by"] == "classifier"
    assert first.routing["guessed"] == "roads"
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.group_id is not None
    assert second.group_id == first.group_id
    answered = do_answer_petition(
        district_officer, first, text="고쳤습니다.", expected_version=first.version
    )
    assert {p.pk for p in answered} == {first.pk, second.pk}
    second.refresh_from_db()
    assert second.status == PetitionStatus.ANSWERED
    assert second.answer == "고쳤습니다."
    assert Notification.objects.filter(
        person=stranger.person, link__contains=str(second.public_id)
    ).exists()
    do_rate_petition(stranger, second, rating=4)
    with pytest.raises(ValidationFailedError):
        do_rate_petition(stranger, second, rating=5)  # once


def test_a_wrongly_grouped_petition_is_split_and_answered_alone(
    citizen: User, stranger: User, district_officer: User
) -> None:
    first = _file(citizen)
    second = _file(stranger, TEXT)
    second.refresh_from_db()
    do_split_petition(district_officer, second, reason="다른 장소", expected_version=second.version)
    first.refresh_from_db()
    do_answer_petition(district_officer, first, text="답변", expected_version=first.version)
    second.refresh_from_db()
    assert second.status == PetitionStatus.OPEN
    assert second.group_id is None


def test_transfer_keeps_history_and_extension_is_once_with_a_notice(
    citizen: User, district_officer: User
) -> None:
    petition = _file(citizen)
    due = petition.due_on
    do_extend_petition(
        district_officer, petition, reason="현장 조사", expected_version=petition.version
    )
    assert petition.due_on > due
    assert (
        Notification.objects.filter(person=citizen.person, key__endswith=":extended").count() == 1
    )
    with pytest.raises(ValidationFailedError):
        do_extend_petition(
            district_officer, petition, reason="또", expected_version=petition.version
        )
    do_transfer_petition(
        district_officer,
        petition,
        to_agency="kr-molit",
        reason="국도 관리",
        expected_version=petition.version,
    )
    assert petition.agency.code == "kr-molit"
    event = PetitionEvent.objects.get(petition=petition, kind="transferred")
    assert (event.from_agency.code, event.to_agency.code, event.reason) == (  # type: ignore[union-attr]
        "kr-district-office",
        "kr-molit",
        "국도 관리",
    )
    with pytest.raises(NotFoundError):  # no longer this officer's agency
        do_answer_petition(district_officer, petition, text="x", expected_version=petition.version)


def test_an_objection_is_accepted_until_the_last_day_only(
    citizen: User, district_officer: User
) -> None:
    petition = _file(citizen)
    do_answer_petition(
        district_officer, petition, text="불가합니다.", expected_version=petition.version
    )
    petition.refresh_from_db()
    rules = policy("kr")
    last = objection_deadline(petition)
    assert last is not None
    assert last >= petition.answered_on + timedelta(days=60)  # type: ignore[operator]
    assert rules.calendar.is_working_day(last)
    with pytest.raises(ValidationFailedError):
        do_object_to_petition(citizen, petition, text="부당합니다", today=last + timedelta(days=1))
    objection = do_object_to_petition(citizen, petition, text="부당합니다", today=last)
    assert objection.due_on > last


def test_bad_input_changes_nothing(
    citizen: User, stranger: User, agencies: Any, client: Client
) -> None:
    with pytest.raises(ValidationFailedError):
        do_file_petition(
            citizen,
            kind="complaint",
            category="",
            area_code="",
            title="t",
            text=TEXT,
            attachments=[
                Upload("big.pdf", "application/pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024))
            ],
        )
    with pytest.raises(ValidationFailedError):
        do_file_petition(
            citizen,
            kind="complaint",
            category="",
            area_code="",
            title="t",
            text=TEXT,
            attachments=[Upload("x.pdf", "application/pdf", b"MZ not a pdf")],
        )
    assert not citizen.person.petitions.exists()  # type: ignore[union-attr]
    petition = _file(citizen, "<script>alert(1)</script> " + TEXT)
    client.force_login(stranger)
    assert client.get(f"/me/petitions/{petition.public_id}/").status_code == 404
    assert client.get(f"/api/v1/participation/petitions/{petition.public_id}").status_code == 404
    client.force_login(citizen)
    page = client.get(f"/me/petitions/{petition.public_id}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_public_petition_counts_each_person_once(
    citizen: User, stranger: User, agencies: Any
) -> None:
    petition = do_open_public_petition(
        citizen, title="공원", text="공원을 만들어 주세요", category="waste"
    )
    assert petition.threshold == 50_000
    do_sign(stranger, petition)
    with pytest.raises(ValidationFailedError, match="already signed"):
        do_sign(stranger, petition)
    petition.refresh_from_db()
    assert petition.signature_count == 1


def test_a_draft_that_does_not_load_is_refused_with_file_and_line(
    agencies: Any, settings: Any
) -> None:
    welfare = do_create_agency(
        ACTOR, code="kr-welfare", name_local="복지", name_en="W", country="kr", services=["*"]
    )
    officer = do_create_officer_account(
        ACTOR, username="w1", password=PASSWORD, agency=welfare, role=OfficerRole.WELFARE_OFFICER
    )[0]
    service = (settings.GOV3_COUNTRIES_DIR / "kr" / "services" / "basic_pension.yaml").read_text()
    broken = service.replace('version: "2026.1"', 'version: "2027.1"').replace(
        "and age >= params", "and agee >= params"
    )
    assert rules_pack("kr").services["basic_pension"].version == "2026.1"
    with pytest.raises(
        ValidationFailedError, match=r"services/basic_pension.yaml:\d+:\d+: unknown name `agee`"
    ):
        do_open_consultation(
            officer,
            service_id="basic_pension",
            title="t",
            summary="s",
            files={"services/basic_pension.yaml": broken},
            effective_on=date(2027, 1, 1),
            opens_on=date(2026, 12, 1),
            closes_on=date(2027, 1, 10),
        )
    assert not Consultation.objects.exists()
