"""A civil servant's own certificate of employment and career certificate, issued at once from
/me/personnel/: the three signed forms verify with gov3's verifier, the SD-JWT VC with the
independent @sd-jwt/sd-jwt-vc library, and the number on /verify/ without signing in."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gov3.core.errors import ValidationFailedError
from gov3.documents.core import verify
from gov3.documents.issuers import jwks
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.verification import check
from gov3.personnel.certificates import do_issue_own_certificate
from tests.conftest import tools_required
from tests.personnel.conftest import Organisation
from tests.personnel.test_pages import _signed_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tests" / "documents" / "sdjwt_verify.mjs"


def _npm_verify(document: IssuedDocument, client: Client) -> Any:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@sd-jwt" / "sd-jwt-vc").is_dir():
        if tools_required():
            pytest.fail("node or node_modules/@sd-jwt is missing (run `npm ci`)")
        pytest.skip("node or node_modules/@sd-jwt is missing")
    (key,) = [k for k in jwks()["keys"] if k["kid"] == document.key.kid]
    status_path = f"/documents/status/{document.document_type}/{document.status_list.number}"
    # The status list first, then the clock: a token signed after `now` was read would not be
    # valid yet.
    token = client.get(status_path).content.decode()
    request = {
        "credential": document.credential,
        "jwk": {name: key[name] for name in ("kty", "crv", "x", "y")},
        "now": int(time.time()),
        "status_list": {"uri": f"https://gov3.example.kr{status_path}", "token": token},
    }
    done = subprocess.run(
        [node, str(VERIFIER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout)


def test_a_civil_servant_gets_a_verifiable_certificate_of_employment_at_once(
    org: Organisation, client: Client, settings: Any
) -> None:
    settings.GOV3_SITE_URL = "https://gov3.example.kr"
    welfare = _signed_in(org.accounts["welfare"])
    page = welfare.post(
        reverse("personnel:issue_certificate"), {"kind": "employment"}, follow=True
    ).content.decode()
    document = IssuedDocument.objects.get(holder=org.people["welfare"])
    assert document.document_type == DocumentType.EMPLOYMENT
    assert document.number in page
    claims = document.claims
    assert claims["name"] == "정복지"  # from the register
    assert claims["agency"] == "종로구청"
    assert claims["employee_number"] == org.records["welfare"].employee_number
    for form in (bytes(document.pdf), document.credential, document.qr_payload):
        assert check(form).outcome == verify.VALID
    independent = _npm_verify(document, client)
    assert independent["valid"] is True, independent
    assert independent["claims"]["vct"].endswith("/documents/types/employment")
    assert independent["claims"]["employee_number"] == claims["employee_number"]
    # anyone, signed out, checks the number on /verify/
    answer = Client(headers={"accept-language": "en"}).post(
        reverse("documents:verify"), {"text": document.number}
    )
    assert answer.status_code == 200
    assert "Valid" in answer.content.decode()
    assert "종로구청" in answer.content.decode()
    # downloads: their own only
    pdf = welfare.get(reverse("personnel:certificate_download", args=[document.public_id, "pdf"]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    other = _signed_in(org.accounts["city-hr"])
    url = reverse("personnel:certificate_download", args=[document.public_id, "credential"])
    assert other.get(url).status_code == 404


def test_the_career_certificate_lists_every_post(org: Organisation) -> None:
    user = org.accounts["district-hr"][0]
    document = do_issue_own_certificate(user, "career")
    assert document.document_type == DocumentType.CAREER
    (post,) = document.claims["career"]
    assert post["agency"] == "종로구청"
    assert post["to"] == ""
    assert check(document.credential).outcome == verify.VALID
    assert check(document.qr_payload).outcome == verify.VALID


def test_no_certificate_of_an_unknown_kind_or_without_a_post(org: Organisation) -> None:
    user = org.accounts["welfare"][0]
    with translation.override("en"), pytest.raises(ValidationFailedError, match="no such"):
        do_issue_own_certificate(user, "pay")
    org.records["welfare"].appointments.all().delete()
    with translation.override("en"), pytest.raises(ValidationFailedError, match="no post today"):
        do_issue_own_certificate(user, "employment")
    assert not IssuedDocument.objects.exists()
