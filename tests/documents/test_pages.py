"""The document pages and API over HTTP: My documents, downloads, the public verification page
and API (with bad input of every kind), the officer's revocation; another user's id is 404."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.core.models import AccessLogEntry, AccessPurpose
from gov3.documents.models import DocumentStatus, DocumentType, IssuedDocument, StatusList
from gov3.documents.services import do_issue_certificate
from gov3.registry.models import Person
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIFTY_MB = 50 * 1024 * 1024


@pytest.fixture
def citizen_client(client: Client, citizen: User) -> Client:
    client.force_login(citizen)
    return client


@pytest.fixture
def certificate(citizen: User, family: dict[str, Person]) -> IssuedDocument:
    return do_issue_certificate(citizen, family["mother"], DocumentType.FAMILY_RELATIONS)


def verify_upload(client: Client, data: bytes, name: str = "document.pdf") -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("documents:verify"), {"document": upload})


def test_my_documents_issues_a_certificate_at_once(
    citizen_client: Client, family: dict[str, Person]
) -> None:
    page = citizen_client.get(reverse("documents:mine"))
    assert page.status_code == 200
    response = citizen_client.post(
        reverse("documents:request_certificate"),
        {"document_type": DocumentType.RESIDENT_REGISTRATION},
    )
    assert response.status_code == 302
    document = IssuedDocument.objects.get(holder=family["mother"])
    detail = citizen_client.get(response["Location"])
    assert document.number in detail.content.decode()
    pdf = citizen_client.get(reverse("documents:download", args=[document.public_id, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    credential = citizen_client.get(
        reverse("documents:download", args=[document.public_id, "credential"])
    )
    assert credential.content.decode().count("~") >= 5


def test_a_certificate_for_a_child_and_not_for_a_stranger(
    citizen_client: Client, family: dict[str, Person]
) -> None:
    response = citizen_client.post(
        reverse("documents:request_certificate"),
        {"document_type": DocumentType.FAMILY_RELATIONS, "subject": str(family["son"].public_id)},
    )
    assert response.status_code == 302
    assert IssuedDocument.objects.filter(holder=family["son"]).count() == 1
    for subject in (str(family["stranger"].public_id), "not-a-uuid"):
        refused = citizen_client.post(
            reverse("documents:request_certificate"),
            {"document_type": DocumentType.FAMILY_RELATIONS, "subject": subject},
        )
        assert refused.status_code == 404
    assert IssuedDocument.objects.filter(holder=family["stranger"]).count() == 0


def test_another_citizens_document_is_not_found(
    client: Client, certificate: IssuedDocument, family: dict[str, Person]
) -> None:
    from gov3.accounts.services import do_create_citizen_account  # noqa: PLC0415

    stranger = do_create_citizen_account(
        "test", person=family["stranger"], username="park", password=PASSWORD
    )
    client.force_login(stranger)
    for url in (
        reverse("documents:detail", args=[certificate.public_id]),
        reverse("documents:download", args=[certificate.public_id, "pdf"]),
        reverse("documents:download", args=[certificate.public_id, "credential"]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.get(reverse("api_v1:document_mine", args=[certificate.public_id])).status_code == 404
    )


def test_the_verification_page_says_valid_for_the_pdf_the_qr_and_the_number(
    client: Client, citizen: User, family: dict[str, Person]
) -> None:
    certificate = do_issue_certificate(
        citizen, family["mother"], DocumentType.RESIDENT_REGISTRATION
    )
    page = verify_upload(client, bytes(certificate.pdf))
    assert page.status_code == 200
    assert page.context["result"].outcome == "valid"
    shown = {}
    for text in (certificate.qr_payload, certificate.number, certificate.credential):
        page = client.post(reverse("documents:verify"), {"text": text})
        assert page.status_code == 200, text
        assert page.context["result"].outcome == "valid"
        shown[text] = dict(page.context["result"].rows)
    # what the presented form shows, and no more: the QR code and the number lookup carry the
    # name and birth date, not the address or the id number; the full credential carries both
    for text in (certificate.qr_payload, certificate.number):
        assert shown[text]["Name"] == "김영희"
        assert "Address" not in shown[text]
        assert "National id number" not in shown[text]
    assert shown[certificate.credential]["Address"] == certificate.claims["address"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.7\n" + b"\x00" * 1000, "broken.pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image.pdf"),
        (b"just some text", "notes.txt"),
    ],
)
def test_a_file_that_is_not_a_gov3_pdf_is_invalid(client: Client, data: bytes, name: str) -> None:
    page = verify_upload(client, data, name)
    assert page.status_code == 200
    assert page.context["result"].outcome == "invalid"
    assert page.context["result"].reason


def test_a_50_mb_upload_is_refused_before_it_is_read(client: Client) -> None:
    page = verify_upload(client, b"%PDF-1.7\n" + b"0" * FIFTY_MB)
    assert page.status_code == 413
    assert "too large" in page.content.decode()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("GV1:garbage!!", "malformed"),
        ("GV1:" + "A" * 5000, "malformed"),
        ("eyJhbGciOiJub25lIn0.e30.", "malformed"),
        ("hello", "malformed"),
        ("1234-5678-9012-3456", "malformed"),  # wrong check digit: not a number, not a QR
    ],
)
def test_garbage_text_is_invalid_with_a_reason(client: Client, text: str, reason: str) -> None:
    page = client.post(reverse("documents:verify"), {"text": text})
    assert page.status_code == 200
    result = page.context["result"]
    assert result.outcome == "invalid"
    assert result.verdict.reason == reason
    assert result.reason  # said in words
    assert result.rows == []


def test_an_unknown_number_is_not_found(client: Client, certificate: IssuedDocument) -> None:
    digits = certificate.number.replace("-", "")
    # another valid Luhn number: change two digits so the check digit still holds
    from stdnum import luhn  # noqa: PLC0415

    body = ("1" if digits[0] != "1" else "2") + digits[1:15]
    other = body + luhn.calc_check_digit(body)
    page = client.post(reverse("documents:verify"), {"text": other})
    assert page.status_code == 404


def test_the_verify_api_needs_no_sign_in(client: Client, certificate: IssuedDocument) -> None:
    response = client.post(
        "/api/v1/verify/", {"text": certificate.qr_payload}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "valid"
    upload = io.BytesIO(bytes(certificate.pdf))
    upload.name = "c.pdf"
    response = client.post("/api/v1/verify/pdf", {"document": upload})
    assert response.status_code == 200
    assert response.json()["outcome"] == "valid"
    garbage = io.BytesIO(b"not a pdf")
    garbage.name = "x.pdf"
    response = client.post("/api/v1/verify/pdf", {"document": garbage})
    assert response.json()["outcome"] == "invalid"
    assert response.json()["reason"] == "not_a_pdf"


def test_an_officer_revokes_and_the_page_then_says_revoked(
    officer_client: Client,
    officer: tuple[User, Any],
    certificate: IssuedDocument,
    django_capture_on_commit_callbacks: Any,
) -> None:
    user, _ = officer
    user.agency.services = ["*"]
    user.agency.save()
    found = officer_client.get(reverse("documents:officer_find"), {"number": certificate.number})
    assert found.status_code == 302
    page = officer_client.get(found["Location"])
    assert page.status_code == 200
    # the holder sees in "who looked at my data" that this officer opened the document
    (entry,) = AccessLogEntry.objects.filter(subject_id=certificate.holder_id)
    assert (entry.actor_id, entry.purpose) == (user.pk, AccessPurpose.DOCUMENT_ISSUANCE)
    assert certificate.number in entry.what
    refused = officer_client.post(
        reverse("documents:revoke", args=[certificate.public_id]),
        {"version": certificate.version, "reason": ""},
    )
    assert refused.status_code == 400
    certificate.refresh_from_db()
    assert certificate.status == DocumentStatus.VALID
    with django_capture_on_commit_callbacks(execute=True):
        done = officer_client.post(
            reverse("documents:revoke", args=[certificate.public_id]),
            {"version": certificate.version, "reason": "Obtained by fraud."},
        )
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == DocumentStatus.REVOKED
    page = Client().post(reverse("documents:verify"), {"text": certificate.number})
    assert page.context["result"].outcome == "revoked"


def test_a_citizen_cannot_revoke_through_the_api(
    citizen_client: Client, certificate: IssuedDocument
) -> None:
    response = citizen_client.post(
        f"/api/v1/documents/{certificate.public_id}/revoke",
        {"version": 1, "reason": "mine"},
        content_type="application/json",
        headers={"X-CSRFToken": "x"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_refused"
    certificate.refresh_from_db()
    assert certificate.status == DocumentStatus.VALID


def test_the_officer_search_explains_a_wrong_or_foreign_number(
    officer_client: Client, certificate: IssuedDocument
) -> None:
    url = reverse("documents:officer_find")
    assert officer_client.get(url, {"number": "12345"}).status_code == 400
    # the officer's agency handles no service: someone else's document is not found
    assert officer_client.get(url, {"number": certificate.number}).status_code == 404


# -- revocation status unknown; a plain page (issue 14, items 7 and 10) -------------------------


@pytest.mark.parametrize(
    ("language", "headline"),
    [
        ("en", "Not confirmed: this document is genuine, but whether it has been revoked"),
        ("ko", "확인 불가"),
        ("vi", "Chưa xác nhận"),
    ],
)
def test_the_page_never_says_valid_when_the_revocation_list_is_missing(
    certificate: IssuedDocument, language: str, headline: str
) -> None:
    StatusList.objects.filter(pk=certificate.status_list_id).update(number=999)  # not published
    client = Client(headers={"accept-language": language})
    page = client.post(reverse("documents:verify"), {"text": certificate.qr_payload})
    html = page.content.decode()
    assert page.status_code == 200
    assert headline in html
    assert "gov3-alert--success" not in html
    api = Client().post(
        "/api/v1/verify/", {"text": certificate.qr_payload}, content_type="application/json"
    )
    assert (api.json()["outcome"], api.json()["status_known"]) == ("status_unknown", False)


@pytest.mark.parametrize("language", ["ko", "en", "vi"])
def test_the_verify_page_tells_citizens_nothing_about_the_command_line(language: str) -> None:
    html = Client(headers={"accept-language": language}).get(reverse("documents:verify"))
    text = html.content.decode()
    assert "gov3 verify" not in text
    assert "--bundle" not in text
    assert reverse("documents:bundle") in text  # organisations still find the bundle
