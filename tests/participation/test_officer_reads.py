"""Officers read petitions and information-disclosure requests on a need-to-know basis: only
those with their own agency, and only if the access policy gives their role the purpose
(`petition_handling`, `disclosure_handling`). Every page that shows a petitioner's or a
requester's data writes one access-log entry per person shown (with the agency, the purpose
and the channel); a read outside the policy is "not found" and a refused attempt in the audit
log, never a read in the access log. The officer pages send every form by POST."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gov3.accounts.access_policy import access_policy, purposes_for
from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_administrator,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.core.models import AccessChannel, AccessLogEntry, AccessPurpose, AuditEntry
from gov3.participation import queries
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import DisclosureRequest, PetitionStatus
from gov3.participation.services.consultations import do_comment
from gov3.participation.services.disclosure import do_request_disclosure
from gov3.participation.services.petitions import do_file_petition, do_transfer_petition
from gov3.participation.services.public import do_open_public_petition
from gov3.participation.services.submissions import Upload
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, current_totp
from tests.participation.test_consultations import open_draft

pytestmark = pytest.mark.django_db

TEXT = "종로 12번길 골목길, 가로등이 꺼져 밤에 도로가 너무 어둡습니다. 빠른 조치를 부탁드립니다."
PDF = b"%PDF-1.4\n% a plan of the street\n%%EOF\n"
DISTRICT = "종로구청"


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def agencies(areas: None) -> dict[str, Agency]:
    load_agencies("kr")
    return {a.code: a for a in Agency.objects.filter(country="kr")}


@pytest.fixture
def stranger(family: dict[str, Person]) -> User:
    return do_create_citizen_account(
        ACTOR, person=family["stranger"], username="cheolsu", password=PASSWORD
    )


def officer(agency: Agency, name: str, role: str = OfficerRole.REGISTRY_OFFICER) -> Client:
    """An officer of `agency`, signed in with password and authenticator code."""
    _, device = do_create_officer_account(
        ACTOR, username=name, password=PASSWORD, agency=agency, role=role
    )
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        reverse("backoffice:login"),
        {"username": name, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 302
    return client


def file_petition(user: User, text: str = TEXT, attachments: list[Upload] | None = None) -> Any:
    """A complaint about a street light in Jongno-gu: routed to the district office."""
    petition = do_file_petition(
        user,
        kind="complaint",
        category="",
        area_code="1111051500",
        title="가로등 고장",
        text=text,
        attachments=attachments or [],
    )
    assert petition.agency.code == "kr-district-office"
    return petition


def request_disclosure(user: User) -> DisclosureRequest:
    return do_request_disclosure(
        user, agency_code="kr-district-office", subject="2026년 종로구 가로등 보수 예산 집행 내역"
    )


def read_by(name: str) -> Any:
    return AccessLogEntry.objects.filter(actor_label=name)


def refused_attempts(person: Person) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="access.refused", target_id=str(person.pk)))


def no_get_forms(page: str) -> bool:
    """Every form of the page is sent by POST (nothing typed ends up in a URL)."""
    return "<form" in page and 'method="get"' not in page.lower()


# --- one test per access-logged path ---------------------------------------------------------


def test_the_petition_queue_logs_each_petitioner_listed(
    citizen: User, stranger: User, agencies: dict[str, Agency]
) -> None:
    mine = file_petition(citizen)
    theirs = file_petition(
        stranger, "공원 벤치가 부서졌습니다. 종로 12번길 도로 옆 벤치 수리 바랍니다."
    )
    client = officer(agencies["kr-district-office"], "jongno")
    page = client.get(reverse("participation:officer_queue"))
    assert page.status_code == 200
    assert str(mine.public_id) in page.content.decode()
    assert str(theirs.public_id) in page.content.decode()
    entries = read_by("jongno")
    assert sorted(entries.values_list("subject_id", flat=True)) == sorted(
        [citizen.person_id, stranger.person_id]
    )
    for entry in entries:
        assert entry.what == queries.PETITION_QUEUE_PARTS
        assert entry.purpose == AccessPurpose.PETITION_HANDLING
        assert entry.channel == AccessChannel.WEB
        assert entry.agency == DISTRICT
        assert entry.actor_role == OfficerRole.REGISTRY_OFFICER


def test_a_petition_page_logs_the_petitioner_and_the_alike_petitioners_shown(
    citizen: User, stranger: User, agencies: dict[str, Agency]
) -> None:
    first = file_petition(citizen)
    second = file_petition(stranger, "안녕하십니까. " + TEXT)  # the same petition again
    second.refresh_from_db()
    assert second.group_id is not None
    client = officer(agencies["kr-district-office"], "jongno")
    page = client.get(reverse("participation:officer_petition", args=[first.public_id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "김영희" in text  # the petitioner's name
    assert str(second.public_id) in text  # the alike petition of the group
    assert no_get_forms(text)
    entries = {e.subject_id: e for e in read_by("jongno")}
    assert set(entries) == {citizen.person_id, stranger.person_id}
    assert entries[citizen.person_id].what == queries.PETITION_PARTS
    assert entries[stranger.person_id].what == queries.GROUP_PARTS
    assert {e.purpose for e in entries.values()} == {AccessPurpose.PETITION_HANDLING}
    assert {e.agency for e in entries.values()} == {DISTRICT}


def test_a_petitions_attachment_is_downloaded_by_its_agency_and_logged(
    citizen: User, agencies: dict[str, Agency]
) -> None:
    petition = file_petition(citizen, attachments=[Upload("거리 도면.pdf", "application/pdf", PDF)])
    client = officer(agencies["kr-district-office"], "jongno")
    page = client.get(reverse("participation:officer_petition", args=[petition.public_id]))
    url = reverse("participation:officer_petition_attachment", args=[petition.public_id, 1])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    entry = read_by("jongno").get(what__startswith=queries.ATTACHMENT_PARTS)
    assert entry.subject_id == citizen.person_id
    assert entry.what == f"{queries.ATTACHMENT_PARTS}: 거리 도면.pdf"
    assert entry.purpose == AccessPurpose.PETITION_HANDLING
    # there is no second file; the same officer asking for it reads nothing more
    before = read_by("jongno").count()
    missing = reverse("participation:officer_petition_attachment", args=[petition.public_id, 2])
    assert client.get(missing).status_code == 404
    assert read_by("jongno").count() == before


def test_the_disclosure_list_logs_each_requester_listed(
    citizen: User, stranger: User, agencies: dict[str, Agency]
) -> None:
    request_disclosure(citizen)
    request_disclosure(stranger)
    client = officer(agencies["kr-district-office"], "info")
    page = client.get(reverse("participation:officer_disclosure_queue"))
    assert page.status_code == 200
    assert "가로등 보수 예산" in page.content.decode()
    assert no_get_forms(page.content.decode())
    entries = read_by("info")
    assert sorted(entries.values_list("subject_id", flat=True)) == sorted(
        [citizen.person_id, stranger.person_id]
    )
    assert {e.what for e in entries} == {queries.REQUEST_QUEUE_PARTS}
    assert {e.purpose for e in entries} == {AccessPurpose.DISCLOSURE_HANDLING}
    assert {(e.agency, e.channel) for e in entries} == {(DISTRICT, AccessChannel.WEB)}


def test_a_disclosure_request_page_logs_the_requester(
    citizen: User, agencies: dict[str, Agency]
) -> None:
    request = request_disclosure(citizen)
    client = officer(agencies["kr-district-office"], "info")
    page = client.get(reverse("participation:officer_disclosure", args=[request.public_id]))
    assert page.status_code == 200
    assert "가로등 보수 예산" in page.content.decode()
    assert no_get_forms(page.content.decode())
    entry = read_by("info").get()
    assert (entry.subject_id, entry.what) == (citizen.person_id, queries.REQUEST_PARTS)
    assert (entry.purpose, entry.agency) == (AccessPurpose.DISCLOSURE_HANDLING, DISTRICT)


# --- need-to-know ------------------------------------------------------------------------------


def test_another_agencys_officer_gets_not_found_and_a_refused_attempt(
    citizen: User, agencies: dict[str, Agency]
) -> None:
    petition = file_petition(citizen, attachments=[Upload("도면.pdf", "application/pdf", PDF)])
    request = request_disclosure(citizen)
    client = officer(agencies["kr-molit"], "molit", OfficerRole.WELFARE_OFFICER)
    pages = [
        reverse("participation:officer_petition", args=[petition.public_id]),
        reverse("participation:officer_petition_attachment", args=[petition.public_id, 1]),
        reverse("participation:officer_disclosure", args=[request.public_id]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "김영희" not in response.content.decode()
    # an action on it is refused the same way and changes nothing
    answer = client.post(
        pages[0], {"version": petition.version, "action": "answer", "text": "답변"}
    )
    assert answer.status_code == 404
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.OPEN
    # its lists do not show them either
    assert "가로등" not in client.get(reverse("participation:officer_queue")).content.decode()
    listed = client.get(reverse("participation:officer_disclosure_queue")).content.decode()
    assert "가로등" not in listed
    assert not read_by("molit").exists()
    attempts = refused_attempts(citizen.person)  # type: ignore[arg-type]
    assert len(attempts) == 4
    assert {a.actor for a in attempts} == {"molit"}
    assert {a.data["purpose"] for a in attempts} == {
        AccessPurpose.PETITION_HANDLING,
        AccessPurpose.DISCLOSURE_HANDLING,
    }
    assert {a.data["reason"] for a in attempts} == {"the record is with another agency"}


def test_a_transferred_petition_is_read_by_its_new_agency_only(
    citizen: User, agencies: dict[str, Agency]
) -> None:
    petition = file_petition(citizen)
    district = officer(agencies["kr-district-office"], "jongno")
    url = reverse("participation:officer_petition", args=[petition.public_id])
    assert district.get(url).status_code == 200
    user = User.objects.get(username="jongno")
    do_transfer_petition(
        user, petition, to_agency="kr-molit", reason="국도 관리", expected_version=petition.version
    )
    assert district.get(url).status_code == 404
    assert refused_attempts(citizen.person)  # type: ignore[arg-type]
    molit = officer(agencies["kr-molit"], "molit", OfficerRole.WELFARE_OFFICER)
    assert molit.get(url).status_code == 200
    entry = read_by("molit").get()
    assert (entry.subject_id, entry.agency) == (citizen.person_id, "국토교통부")


@pytest.mark.parametrize("role", [OfficerRole.SAEMAUL_OFFICER, OfficerRole.AUDITOR])
def test_saemaul_officers_and_auditors_of_the_agency_read_no_petitions_or_requests(
    citizen: User, agencies: dict[str, Agency], role: str
) -> None:
    petition = file_petition(citizen)
    request = request_disclosure(citizen)
    client = officer(agencies["kr-district-office"], "reader", role)
    queue = client.get(reverse("participation:officer_queue")).content.decode()
    assert "Your role does not handle petitions" in queue
    assert str(petition.public_id) not in queue
    assert "<dt>Open</dt><dd>1</dd>" in queue  # the agency's figures, counts only
    listed = client.get(reverse("participation:officer_disclosure_queue")).content.decode()
    assert "Your role does not handle information-disclosure requests" in listed
    assert "가로등" not in listed
    petition_page = reverse("participation:officer_petition", args=[petition.public_id])
    assert client.get(petition_page).status_code == 404
    request_page = reverse("participation:officer_disclosure", args=[request.public_id])
    assert client.get(request_page).status_code == 404
    assert not AccessLogEntry.objects.exists()
    attempts = refused_attempts(citizen.person)  # type: ignore[arg-type]
    assert len(attempts) == 2
    assert {a.data["reason"] for a in attempts} == {queries.OUTSIDE_POLICY}


def test_the_petition_purposes_open_no_register_record(
    citizen: User, agencies: dict[str, Agency], family: dict[str, Person]
) -> None:
    """Handling someone's petition is no reason to read their register record: the register
    pages neither offer nor accept the participation purposes."""
    file_petition(citizen)
    client = officer(agencies["kr-district-office"], "jongno")
    user = User.objects.get(username="jongno")
    granted = access_policy("kr").purposes(OfficerRole.REGISTRY_OFFICER)
    assert AccessPurpose.PETITION_HANDLING in granted
    assert AccessPurpose.PETITION_HANDLING not in purposes_for(user)
    assert AccessPurpose.DISCLOSURE_HANDLING not in purposes_for(user)
    search = client.get(reverse("backoffice:search")).content.decode()
    assert 'value="petition_handling"' not in search
    for purpose in ("petition_handling", "disclosure_handling"):
        response = client.post(
            reverse("backoffice:person", args=[family["mother"].public_id]), {"purpose": purpose}
        )
        assert family["mother"].national_id not in response.content.decode()
    assert not AccessLogEntry.objects.exists()


def test_the_officers_consultation_page_shows_comments_without_their_authors(
    citizen: User, welfare_agency: Agency, settings: Any
) -> None:
    """Why the page is declared as showing no one's data: who commented is never shown."""
    client = officer(welfare_agency, "welfare", OfficerRole.WELFARE_OFFICER)
    user = User.objects.get(username="welfare")
    consultation = open_draft(
        user, Path(settings.GOV3_COUNTRIES_DIR) / "kr", day=timezone.localdate()
    )
    do_comment(citizen, consultation, stance="support", text="찬성합니다.")
    page = client.get(reverse("participation:officer_consultation", args=[consultation.public_id]))
    text = page.content.decode()
    assert "찬성합니다." in text
    person = citizen.person
    assert person is not None
    for shown in (person.name_local, person.name_latin, person.national_id, citizen.username):
        assert shown not in text
    assert not AccessLogEntry.objects.exists()


def test_the_admin_pages_of_petitions_and_requests_log_whom_they_show(
    citizen: User, agencies: dict[str, Agency], client: Client
) -> None:
    petition = file_petition(citizen)
    request = request_disclosure(citizen)
    public = do_open_public_petition(
        citizen, title="공원", text="공원을 만들어 주세요", category="waste"
    )
    _, device = do_create_administrator(ACTOR, username="registrar", password=PASSWORD)
    client.post(
        reverse("admin:login"),
        {
            "username": "registrar",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": current_totp(device),
        },
    )
    pages = [
        reverse("admin:participation_petition_changelist"),
        reverse("admin:participation_petition_change", args=[petition.pk]),
        reverse("admin:participation_disclosurerequest_changelist"),
        reverse("admin:participation_disclosurerequest_change", args=[request.pk]),
        reverse("admin:participation_publicpetition_change", args=[public.pk]),
    ]
    for url in pages:
        before = read_by("registrar").count()
        assert client.get(url).status_code == 200, url
        assert read_by("registrar").count() == before + 1, url
    assert set(read_by("registrar").values_list("subject_id", flat=True)) == {citizen.person_id}
    assert set(read_by("registrar").values_list("channel", flat=True)) == {AccessChannel.ADMIN}
    assert client.get(reverse("admin:participation_consultation_changelist")).status_code == 200
