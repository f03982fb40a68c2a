"""Information disclosure through the real commands: the decision period counted in working
days, a request with no decision deemed refused from the day after it (not before), the
periods to object at their last day, an extension moving both; disclosed files delivered
inside a signed PDF that the public verifier accepts, and refused once tampered with."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_officer_account
from gov3.core.errors import ValidationFailedError
from gov3.documents.models import DocumentType
from gov3.documents.verification import check, check_pdf
from gov3.participation.installed import policy
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import DisclosureObjection, DisclosureRequest
from gov3.participation.services.disclosure import (
    deemed_refused,
    do_decide_disclosure,
    do_extend_disclosure,
    do_object_to_disclosure,
    do_request_disclosure,
    objection_deadline,
)
from gov3.participation.services.submissions import Upload
from tests.conftest import ACTOR, PASSWORD, current_totp

pytestmark = pytest.mark.django_db

#: Thursday 17 September 2026; Chuseok (24 and 25 September) and the substitute holiday of
#: 5 October are not working days.
RECEIVED = date(2026, 9, 17)
CSV = "구분,금액\n가로등 보수,12000000\n".encode()


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The commands' error messages in English (outside a request the site's language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def agencies(areas: None) -> dict[str, Agency]:
    load_agencies("kr")
    return {a.code: a for a in Agency.objects.all()}


@pytest.fixture
def district(agencies: dict[str, Agency]) -> tuple[User, Any]:
    """An officer of the district office and their authenticator."""
    return do_create_officer_account(
        ACTOR,
        username="info",
        password=PASSWORD,
        agency=agencies["kr-district-office"],
        role=OfficerRole.REGISTRY_OFFICER,
    )


@pytest.fixture
def district_officer(district: tuple[User, Any]) -> User:
    return district[0]


def _request(citizen: User, received: date | None = None) -> DisclosureRequest:
    return do_request_disclosure(
        citizen,
        agency_code="kr-district-office",
        subject="2026년 종로구 가로등 보수 예산 집행 내역",
        today=received,
    )


def _pdf(text: str = "budget") -> bytes:
    """A small real PDF (made by the PDF library the documents use)."""
    from fpdf import FPDF  # noqa: PLC0415 - only these tests make PDFs to disclose

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def test_ten_working_days_then_deemed_refused_then_thirty_days_to_object(
    citizen: User, agencies: Any
) -> None:
    request = _request(citizen, RECEIVED)
    # day 1 is Friday 18 Sept; Chuseok and 5 October are skipped: day 10 is Tuesday 6 October
    assert request.due_on == date(2026, 10, 6)
    assert not deemed_refused(request, date(2026, 10, 6))
    assert deemed_refused(request, date(2026, 10, 7))
    # on the last day of the period the agency can still decide: nothing to object to yet
    assert objection_deadline(request, date(2026, 10, 6)) is None
    with pytest.raises(ValidationFailedError, match="nothing to object to"):
        do_object_to_disclosure(citizen, request, text="결정이 없습니다", today=date(2026, 10, 6))
    # 30 calendar days from the deemed refusal: Thursday 5 November, a working day
    assert objection_deadline(request, date(2026, 10, 7)) == date(2026, 11, 5)
    with pytest.raises(ValidationFailedError, match="period to object has ended"):
        do_object_to_disclosure(citizen, request, text="결정이 없습니다", today=date(2026, 11, 6))
    assert not DisclosureObjection.objects.exists()
    objection = do_object_to_disclosure(
        citizen, request, text="결정이 없습니다", today=date(2026, 11, 5)
    )
    # decided within 7 calendar days, ending on a working day (12 November is a Thursday)
    assert objection.due_on == date(2026, 11, 12)
    with pytest.raises(ValidationFailedError, match="already objected"):
        do_object_to_disclosure(citizen, request, text="다시", today=date(2026, 11, 5))


def test_an_extension_moves_the_deemed_refusal_by_ten_working_days(
    citizen: User, district_officer: User
) -> None:
    request = _request(citizen, RECEIVED)
    do_extend_disclosure(
        district_officer, request, reason="제3자 의견 청취", expected_version=request.version
    )
    # from Wednesday 7 October: 9 October (Hangul Day) and the weekends are skipped
    assert request.due_on == date(2026, 10, 21)
    assert not deemed_refused(request, date(2026, 10, 21))
    assert deemed_refused(request, date(2026, 10, 22))
    assert objection_deadline(request, date(2026, 10, 22)) == date(2026, 11, 20)
    with pytest.raises(ValidationFailedError, match="only once"):
        do_extend_disclosure(
            district_officer, request, reason="또", expected_version=request.version
        )


def test_a_refusal_may_be_objected_to_until_its_last_day_only(
    citizen: User, district_officer: User
) -> None:
    rules = policy("kr")
    late, on_time = _request(citizen), _request(citizen)
    for request in (late, on_time):
        do_decide_disclosure(
            district_officer,
            request,
            decision="refuse",
            grounds=["privacy"],
            reason="개인정보가 포함되어 있습니다.",
            files=[],
            expected_version=request.version,
        )
    assert late.decided_on == timezone.localdate()
    last = objection_deadline(late, timezone.localdate())
    assert last is not None
    assert last >= late.decided_on + timedelta(days=30)  # type: ignore[operator]
    assert last < late.decided_on + timedelta(days=30 + 7)  # type: ignore[operator]
    assert rules.calendar.is_working_day(last)
    with pytest.raises(ValidationFailedError, match="period to object has ended"):
        do_object_to_disclosure(citizen, late, text="부당합니다", today=last + timedelta(days=1))
    assert do_object_to_disclosure(citizen, on_time, text="부당합니다", today=last).pk


def test_a_decision_without_its_legal_ground_or_files_is_refused_and_changes_nothing(
    citizen: User, district_officer: User
) -> None:
    request = _request(citizen)
    attempts: list[dict[str, Any]] = [
        {"decision": "refuse", "grounds": [], "files": []},  # no ground
        {"decision": "partial", "grounds": ["nonsense"], "files": []},  # no such ground
        {"decision": "disclose", "grounds": [], "files": []},  # nothing disclosed
        {"decision": "refuse", "grounds": ["law"], "files": [Upload("a.csv", "text/csv", CSV)]},
        {"decision": "maybe", "grounds": [], "files": []},
    ]
    for attempt in attempts:
        with pytest.raises(ValidationFailedError):
            do_decide_disclosure(
                district_officer,
                request,
                reason="",
                expected_version=request.version,
                **attempt,
            )
    request.refresh_from_db()
    assert (request.decision, request.document_id, request.files.count()) == ("", None, 0)


def test_disclosed_files_arrive_inside_a_signed_pdf_that_the_verifier_accepts(
    citizen: User, district_officer: User, client: Client
) -> None:
    request = _request(citizen)
    report = _pdf("Street lamp repairs 2026")
    do_decide_disclosure(
        district_officer,
        request,
        decision="disclose",
        grounds=[],
        reason="",
        files=[
            Upload("가로등_예산.csv", "text/csv", CSV),
            Upload("report.pdf", "application/pdf", report),
        ],
        expected_version=request.version,
    )
    document = request.document
    assert document is not None
    assert document.document_type == DocumentType.DISCLOSURE
    assert document.holder_id == citizen.person_id
    # nothing to object to after a full disclosure
    assert objection_deadline(request, timezone.localdate()) is None

    # the citizen finds it on the request's page and downloads the signed PDF
    client.force_login(citizen)
    page = client.get(f"/me/disclosure/{request.public_id}/").content.decode()
    assert "가로등_예산.csv" in page
    assert "The signed document with the files is in your documents." in page
    response = client.get(f"/me/documents/{document.public_id}/pdf/")
    assert response.status_code == 200
    pdf = response.content

    # the public verifier: genuine, of the disclosure type, with this number
    verdict = check_pdf(pdf)
    assert (verdict.outcome, verdict.document_type, verdict.number) == (
        "valid",
        "disclosure",
        document.number,
    )
    upload = io.BytesIO(pdf)
    upload.name = "disclosure.pdf"
    public = Client().post("/api/v1/verify/pdf", {"document": upload})
    assert public.json()["outcome"] == "valid"

    # the files inside are exactly the disclosed bytes; the credential lists their SHA-256
    attachments = dict(PdfReader(io.BytesIO(pdf)).attachments)
    attachments.pop("gov3-payload.txt")  # the signed QR payload every gov3 PDF carries
    assert attachments == {"가로등_예산.csv": [CSV], "report.pdf": [report]}
    credential = check(document.credential)
    assert credential.outcome == "valid"
    assert {f["name"]: f["sha256"] for f in credential.claims["files"]} == {
        "가로등_예산.csv": hashlib.sha256(CSV).hexdigest(),
        "report.pdf": hashlib.sha256(report).hexdigest(),
    }

    # a figure changed in the file inside the PDF (embedded uncompressed): no longer genuine
    assert pdf.count(CSV) == 1
    tampered = pdf.replace(CSV, CSV.replace(b"12000000", b"92000000"))
    assert check_pdf(tampered).outcome == "invalid"


def test_a_deemed_refusal_is_shown_to_both_sides_and_objected_to_on_the_page(
    citizen: User, district: tuple[User, Any], client: Client
) -> None:
    received = timezone.localdate() - timedelta(days=40)  # its period ended long ago
    request = _request(citizen, received)
    officer, device = district
    signed_in = client.post(
        "/officer/login/",
        {"username": officer.username, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert signed_in.status_code == 302
    queue = client.get("/officer/participation/disclosure/").content.decode()
    assert "Deemed refused" in queue
    client.logout()
    client.force_login(citizen)
    page = client.get(f"/me/disclosure/{request.public_id}/").content.decode()
    assert "Deemed refused: no decision within the legal period" in page
    assert "You may object until" in page
    response = client.post(
        f"/me/disclosure/{request.public_id}/", {"text": "기간 내 결정이 없었습니다."}
    )
    assert response.status_code == 302
    objection = DisclosureObjection.objects.get(request=request)
    assert objection.filed_on == timezone.localdate()
    assert "Your objection" in client.get(response["Location"]).content.decode()
