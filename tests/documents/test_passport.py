"""The paperless passport: renewal offer → confirm → photo and fee → approval → a new passport
(number, MRZ, data page, credential); the old passport cancelled in the register."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gov3.accounts.models import User
from gov3.accounts.services import do_create_citizen_account
from gov3.cases.models import Case, CaseStatus, FeePayment
from gov3.cases.payments import PaymentReceipt
from gov3.cases.services import do_approve_case, do_provide
from gov3.core.errors import StaleVersionError, ValidationFailedError
from gov3.documents import photos
from gov3.documents.core import verify
from gov3.documents.core.mrz import parse
from gov3.documents.models import DocumentType, IssuedDocument, PassportNumber, PassportPhoto
from gov3.documents.services import do_revoke_document
from gov3.documents.verification import check
from gov3.notifications.models import Notification, NotificationKind
from gov3.offers.models import Offer
from gov3.offers.services import do_confirm_offer
from gov3.registry.models import LifeEvent, Passport, PassportStatus, Person
from gov3.registry.services import do_record_passport_issued, record_passport_cancelled
from tests.conftest import require_tool

pytestmark = pytest.mark.django_db


def portrait_jpeg(width: int = 600, height: int = 771) -> bytes:
    """A plain portrait-shaped photo (a face-sized oval on a light background)."""
    image = Image.new("RGB", (width, height), (235, 235, 230))
    for y in range(height // 5, height * 4 // 5):
        for x in range(width // 4, width * 3 // 4, 4):
            image.putpixel((x, y), (200, 160, 130))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def renewal_case(
    citizen: User,
    family: dict[str, Person],
    welfare_agency: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> Case:
    """The mother's passport expires in four months: the renewal is offered; she confirms."""
    settings.GOV3_QC_SAMPLE_RATE = 0
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        do_record_passport_issued(
            "test",
            family["mother"],
            number="M001A0001",
            issued_on=today - timedelta(days=3530),
            expires_on=today + timedelta(days=120),
        )
    offer = Offer.objects.get(service_id="passport_renewal", recipient=family["mother"])
    with django_capture_on_commit_callbacks(execute=True):
        do_confirm_offer(citizen, offer, expected_version=offer.version, language="en")
    return Case.objects.get(offer=offer)


def provide_photo(citizen: User, case: Case, capture: Any, jpeg: bytes | None = None) -> Case:
    photo = photos.check(io.BytesIO(jpeg or portrait_jpeg()))
    with capture(execute=True):
        return do_provide(
            citizen,
            case,
            expected_version=case.version,
            provided={"photo": photo.sha256},
            store=lambda c: photos.store(c, photo),
        )


def test_the_case_waits_for_the_photo_and_fee(renewal_case: Case) -> None:
    assert renewal_case.status == CaseStatus.AWAITING
    assert renewal_case.evidence["fee"]["amount"] == 50000
    assert renewal_case.evidence["provides"] == ["photo"]
    assert not IssuedDocument.objects.filter(case=renewal_case).exists()


def test_photo_and_fee_issue_the_passport_and_cancel_the_old_one(
    citizen: User,
    family: dict[str, Person],
    renewal_case: Case,
    django_capture_on_commit_callbacks: Any,
) -> None:
    provide_photo(citizen, renewal_case, django_capture_on_commit_callbacks)
    renewal_case.refresh_from_db()
    assert renewal_case.status == CaseStatus.APPROVED
    fee = FeePayment.objects.get(case=renewal_case)
    assert fee.amount == 50000
    assert fee.sandbox
    document = IssuedDocument.objects.get(case=renewal_case)
    assert document.document_type == DocumentType.PASSPORT
    number = document.claims["passport_number"]
    assert re.fullmatch(r"M\d{3}[A-Z]\d{4}", number)
    # the register: the new passport valid, the old one cancelled, both as life events
    new = Passport.objects.get(number=number)
    assert new.status == PassportStatus.VALID
    assert Passport.objects.get(number="M001A0001").status == PassportStatus.CANCELLED
    kinds = set(LifeEvent.objects.filter(person=family["mother"]).values_list("kind", flat=True))
    assert {"passport_issued", "passport_cancelled"} <= kinds
    # the MRZ reads back with every check digit right, from the registered romanised name
    parsed = parse(document.claims["mrz"])
    assert parsed.problems == []
    assert parsed.document_code == "PM"
    assert parsed.surname == "KIM"
    assert parsed.given_names == "YOUNGHEE"
    assert parsed.document_number == number
    assert parsed.expiry_date == new.expires_on
    # the data page exists as PDF and PNG and the PDF verifies
    assert bytes(document.png).startswith(b"\x89PNG")
    verdict = check(bytes(document.pdf))
    assert verdict.outcome == verify.VALID
    assert verdict.claims["pn"] == number
    assert check(document.credential).outcome == verify.VALID
    # the number is recorded as used for ever
    assert PassportNumber.objects.filter(number=number).exists()


def test_an_officer_approves_a_sampled_passport_case(
    citizen: User,
    renewal_case: Case,
    settings: Any,
    officer: tuple[User, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 1
    provide_photo(citizen, renewal_case, django_capture_on_commit_callbacks)
    renewal_case.refresh_from_db()
    assert renewal_case.status == CaseStatus.IN_REVIEW
    assert renewal_case.quality_check
    assert not IssuedDocument.objects.filter(case=renewal_case).exists()
    user, _ = officer
    user.agency = renewal_case.agency
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        do_approve_case(user, renewal_case, expected_version=renewal_case.version)
    assert IssuedDocument.objects.filter(case=renewal_case).count() == 1


def test_a_bad_photo_changes_nothing(
    citizen: User, renewal_case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    for bad in (b"this is not an image", portrait_jpeg(800, 600), portrait_jpeg(100, 128)):
        with pytest.raises(ValidationFailedError):
            provide_photo(citizen, renewal_case, django_capture_on_commit_callbacks, bad)
    renewal_case.refresh_from_db()
    assert renewal_case.status == CaseStatus.AWAITING
    assert not PassportPhoto.objects.exists()
    assert not FeePayment.objects.exists()


def test_a_refused_fee_changes_nothing(
    citizen: User,
    renewal_case: Case,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.GOV3_PAYMENT_PROVIDER = "tests.documents.test_passport.RefusingProvider"
    with pytest.raises(ValidationFailedError, match="card declined"):
        provide_photo(citizen, renewal_case, django_capture_on_commit_callbacks)
    renewal_case.refresh_from_db()
    assert renewal_case.status == CaseStatus.AWAITING
    assert not PassportPhoto.objects.exists()


def test_providing_twice_is_refused(
    citizen: User, renewal_case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    stale = Case.objects.get(pk=renewal_case.pk)
    provide_photo(citizen, renewal_case, django_capture_on_commit_callbacks)
    with pytest.raises(StaleVersionError):
        provide_photo(citizen, stale, django_capture_on_commit_callbacks)
    assert IssuedDocument.objects.filter(case=renewal_case).count() == 1


class RefusingProvider:
    """A payment provider that refuses every fee (the bank said no)."""

    name = "refusing"
    sandbox = True

    def pay(self, order: Any) -> Any:
        raise AssertionError("no benefit is paid here")

    def collect(self, order: Any) -> Any:
        return PaymentReceipt("", accepted=False, message="card declined")


def test_revoking_a_passport_cancels_it_in_the_register(
    citizen: User,
    family: dict[str, Person],
    renewal_case: Case,
    officer: tuple[User, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    provide_photo(citizen, renewal_case, django_capture_on_commit_callbacks)
    document = IssuedDocument.objects.get(case=renewal_case)
    number = document.claims["passport_number"]
    user, _ = officer
    user.agency = renewal_case.agency
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        do_revoke_document(user, document, expected_version=document.version, reason="Stolen.")
    assert Passport.objects.get(number=number).status == PassportStatus.CANCELLED
    cancelled = LifeEvent.objects.filter(person=family["mother"], kind="passport_cancelled")
    assert any(event.details.get("reason") == "Stolen." for event in cancelled)
    assert check(bytes(document.pdf)).outcome == verify.REVOKED


@pytest.mark.parametrize("how", ["reported_lost", "replaced"])
def test_any_cancellation_in_the_register_revokes_the_passport(
    how: str,
    citizen: User,
    family: dict[str, Person],
    renewal_case: Case,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Not only an officer's revocation: whatever cancels a passport in the register (a loss
    recorded there, a passport recorded as replacing it) revokes its document at once."""
    provide_photo(citizen, renewal_case, django_capture_on_commit_callbacks)
    document = IssuedDocument.objects.get(case=renewal_case)
    number = document.claims["passport_number"]
    assert check(bytes(document.pdf)).outcome == verify.VALID
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        if how == "reported_lost":
            with transaction.atomic():
                record_passport_cancelled(
                    "test", family["mother"], number=number, cancelled_on=today, reason="Lost."
                )
        else:
            do_record_passport_issued(
                "test",
                family["mother"],
                number="M001A0002",
                issued_on=today,
                expires_on=today + timedelta(days=3650),
            )
    assert Passport.objects.get(number=number).status == PassportStatus.CANCELLED
    document.refresh_from_db()
    assert document.status == "revoked"
    assert check(bytes(document.pdf)).outcome == verify.REVOKED
    assert check(document.credential).outcome == verify.REVOKED
    # the holder is told of a loss; a replacement needs no message
    told = Notification.objects.filter(
        person=family["mother"], kind=NotificationKind.DOCUMENT_REVOKED
    ).exists()
    assert told == (how == "reported_lost")


def upload_photo(client: Client, case: Case, data: bytes) -> Any:
    photo = io.BytesIO(data)
    photo.name = "photo.jpg"
    return client.post(
        reverse("documents:provide", args=[case.public_id]),
        {"version": case.version, "photo": photo, "pay_fee": "on"},
    )


def test_the_photo_page_refuses_bad_uploads_and_changes_nothing(
    client: Client, citizen: User, renewal_case: Case
) -> None:
    client.force_login(citizen)
    page = client.get(reverse("documents:provide", args=[renewal_case.public_id]))
    assert page.status_code == 200
    assert "KIM YOUNGHEE" in page.content.decode()
    too_large = upload_photo(client, renewal_case, b"\xff\xd8" + b"0" * (50 * 1024 * 1024))
    assert too_large.status_code == 413
    not_an_image = upload_photo(client, renewal_case, b"this is a letter, not a photo")
    assert not_an_image.status_code == 400
    assert "not an image" in not_an_image.content.decode()
    renewal_case.refresh_from_db()
    assert renewal_case.status == CaseStatus.AWAITING
    assert not PassportPhoto.objects.exists()
    assert not FeePayment.objects.exists()


def test_the_photo_page_issues_the_passport(
    client: Client, citizen: User, renewal_case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_photo(client, renewal_case, portrait_jpeg())
    assert response.status_code == 302
    document = IssuedDocument.objects.get(case=renewal_case)
    case_page = client.get(response["Location"])
    assert reverse("documents:mine") in case_page.content.decode()
    png = client.get(reverse("documents:download", args=[document.public_id, "png"]))
    assert png.content.startswith(b"\x89PNG")


def test_another_citizen_cannot_provide_for_the_case(
    client: Client, family: dict[str, Person], renewal_case: Case
) -> None:
    stranger = do_create_citizen_account(
        "test", person=family["stranger"], username="park", password="x" * 20
    )
    client.force_login(stranger)
    response = upload_photo(client, renewal_case, portrait_jpeg())
    assert response.status_code == 404
    renewal_case.refresh_from_db()
    assert renewal_case.status == CaseStatus.AWAITING


def _raster_pages(pdf: bytes, tmp_path: Path) -> list[Path]:
    """Every page as a 200 dpi PNG, as a printer or a phone camera would see it (poppler)."""
    source = tmp_path / "passport.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", source, tmp_path / "page"], check=True)
    return sorted(tmp_path.glob("page-*.png"))


def _zbar(image: Path) -> list[str]:
    """What Debian's zbarimg reads off an image (an independent QR decoder)."""
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in result.stdout.splitlines() if line]


def test_the_passport_pdf_carries_its_qr_code_and_confirmation_number(
    citizen: User,
    renewal_case: Case,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    """The passport PDF had neither (issue 14, item 6). The data page stays as ICAO lays it out;
    a second page carries the signed QR code and the number anyone can check at /verify/."""
    for tool in ("pdftoppm", "pdfimages", "pdftotext"):
        require_tool(tool, "Debian poppler-utils")
    require_tool("zbarimg", "Debian zbar-tools")
    provide_photo(citizen, renewal_case, django_capture_on_commit_callbacks)
    document = IssuedDocument.objects.get(case=renewal_case)
    pdf = bytes(document.pdf)
    data_page, verification_page = _raster_pages(pdf, tmp_path)
    assert _zbar(data_page) == []  # the data page has no QR code on it
    assert _zbar(verification_page) == [document.qr_payload]
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "passport.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    pages = [int(line.split()[0]) for line in images]
    assert pages == [1, 2]  # the portrait on the data page, the QR code on the second
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "passport.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data_text, verification_text = text.split("\f")[:2]
    assert document.number in verification_text
    assert document.number not in data_text
    assert "/verify/" in verification_text
    # and the signed PDF still verifies as a whole
    assert check(pdf).outcome == verify.VALID
