"""The transaction code of a wallet offer travels apart from the QR code: by e-mail (a real SMTP
server on loopback) and in the citizen's notifications, at once even in their quiet hours; the
offer page says where it went and never shows it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gov3.accounts.models import User
from gov3.accounts.services import do_create_citizen_account
from gov3.core.models import AuditEntry
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.services import do_issue_certificate
from gov3.identity.models import CredentialOffer
from gov3.notifications.models import Notification, NotificationKind
from gov3.notifications.services import do_set_preferences
from gov3.registry.models import Person
from tests.conftest import PASSWORD, SmtpServer
from tests.identity.test_wallets import _token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_server_connections"),
]

ADDRESS = "younghee@example.kr"
ACTOR = "test"


@pytest.fixture
def resident(family: dict[str, Person]) -> User:
    """The mother's citizen account, with an e-mail address, in her quiet hours right now."""
    user = do_create_citizen_account(
        ACTOR, person=family["mother"], username="younghee", password=PASSWORD, email=ADDRESS
    )
    local = timezone.localtime()
    do_set_preferences(
        ACTOR,
        family["mother"],
        digest="immediate",
        quiet_start=(local - timedelta(hours=1)).time(),
        quiet_end=(local + timedelta(hours=1)).time(),
    )
    return user


@pytest.fixture
def certificate(settings: Any, resident: User, family: dict[str, Person]) -> IssuedDocument:
    settings.GOV3_SITE_URL = "http://testserver"
    return do_issue_certificate(resident, family["mother"], DocumentType.RESIDENT_REGISTRATION)


def _press_add_to_wallet(resident: User, document: IssuedDocument) -> str:
    client = Client(headers={"accept-language": "en"})
    client.force_login(resident)
    response = client.post(f"/me/documents/{document.public_id}/wallet/")
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_code_is_emailed_at_once_and_never_shown_on_the_page(
    resident: User, certificate: IssuedDocument, smtp_server: SmtpServer
) -> None:
    page = _press_add_to_wallet(resident, certificate)
    assert "type the 6-digit code we sent to your e-mail address" in page

    (mail,) = smtp_server.to(ADDRESS)  # sent in her quiet hours: she asked for it just now
    assert mail.subject.endswith("Your code to add a document to your wallet")
    found = re.search(r"asks for a code, type (\d{6})\.", mail.text)
    assert found is not None, mail.text
    code = found.group(1)
    assert code not in page
    assert code not in mail.subject
    # The same code in her notifications on the website, and only its hash with the offer.
    (notification,) = Notification.objects.filter(kind=NotificationKind.CODE)
    assert f"지갑에서 코드를 물으면 {code}" in notification.body_in("ko")
    assert f"Khi ví hỏi mã, hãy nhập {code}" in notification.body_in("vi")
    assert code not in json.dumps(
        [entry.data for entry in AuditEntry.objects.all()]
    )  # not in the audit log

    # The wallet that scanned the QR code redeems the offer with the code from the e-mail.
    pre_authorized = re.search(r"pre-authorized_code%22%3A%22([^%]+)%22", page)
    assert pre_authorized is not None, page
    answer = _token(Client(), pre_authorized.group(1), code)
    assert answer.status_code == 200, answer.content
    assert list(
        AuditEntry.objects.filter(action__startswith="identity.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["identity.wallet_offer_created", "identity.wallet_token_issued"]


def test_the_page_says_where_the_code_went_in_korean(
    resident: User, certificate: IssuedDocument, smtp_server: SmtpServer
) -> None:
    client = Client(headers={"accept-language": "ko"})
    client.force_login(resident)
    page = client.post(f"/me/documents/{certificate.public_id}/wallet/").content.decode()
    assert "이메일 주소와 이 누리집의 알림으로 보내 드린 6자리 코드를 입력하세요" in page
    (mail,) = smtp_server.to(ADDRESS)
    assert "지갑에서 코드를 물으면" in mail.text


def test_someone_elses_document_is_not_found_and_sends_no_code(
    resident: User, certificate: IssuedDocument, family: dict[str, Person], smtp_server: SmtpServer
) -> None:
    stranger = do_create_citizen_account(
        ACTOR,
        person=family["stranger"],
        username="stranger",
        password=PASSWORD,
        email="s@example.kr",
    )
    client = Client(headers={"accept-language": "en"})
    client.force_login(stranger)
    assert client.post(f"/me/documents/{certificate.public_id}/wallet/").status_code == 404
    assert not CredentialOffer.objects.exists()
    assert not Notification.objects.filter(kind=NotificationKind.CODE).exists()
    assert smtp_server.messages == []
