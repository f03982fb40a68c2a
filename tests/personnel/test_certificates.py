"""A civil servant's own certificate of employment and career certificate, issued at once from
/me/personnel/: the three signed forms verify with gov3's verifier, the SD-JWT VC with the
independent @sd-jwt/sd-jwt-vc library, and the number on /verify/ without signing in."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from gov3.core.errors import ValidationFailedError
from gov3.documents.core import verify
from gov3.documents.issuers import jwks
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.verification import check
from gov3.personnel.certificates import do_issue_own_certificate
from gov3.personnel.records import DetailDraft, do_add_detail
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


def test_the_career_certificate_lists_the_career_before_the_service(
    org: Organisation, client: Client, settings: Any
) -> None:
    """The record's career before entering the service is a section of its own, in the PDF
    and in the credential, which still verifies (gov3's verifier and @sd-jwt/sd-jwt-vc)."""
    settings.GOV3_SITE_URL = "https://gov3.example.kr"
    hr = org.accounts["district-hr"][0]
    record = org.records["welfare"]
    for title, employer, start, end in (
        ("연구원", "한국복지연구원", date(2006, 3, 2), date(2009, 12, 31)),
        ("사회복지사", "종로종합사회복지관", date(2003, 1, 6), date(2006, 2, 28)),
    ):
        do_add_detail(
            hr,
            record,
            DetailDraft(kind="career", title=title, issuer=employer, starts_on=start, ends_on=end),
        )
    # another kind of detail is not career
    do_add_detail(
        hr,
        record,
        DetailDraft(
            kind="education", title="사회복지학 학사", issuer="서울대", starts_on=date(1999, 3, 2)
        ),
    )
    document = do_issue_own_certificate(org.accounts["welfare"][0], "career")
    assert document.claims["prior_career"] == [
        {
            "title": "사회복지사",
            "employer": "종로종합사회복지관",
            "from": "2003-01-06",
            "to": "2006-02-28",
        },
        {"title": "연구원", "employer": "한국복지연구원", "from": "2006-03-02", "to": "2009-12-31"},
    ]
    assert [post["agency"] for post in document.claims["career"]] == ["종로구청"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(document.pdf))).pages)
    assert "Career before entering the service" in text
    assert "임용 전 경력" in text
    assert "종로종합사회복지관" in text
    assert "사회복지학" not in text
    for form in (bytes(document.pdf), document.credential, document.qr_payload):
        assert check(form).outcome == verify.VALID
    independent = _npm_verify(document, client)
    assert independent["valid"] is True, independent
    assert independent["claims"]["prior_career"][1]["employer"] == "한국복지연구원"
    # the wallet's labels for the new claims, in every language
    described = {tuple(c["path"]) for c in client.get("/documents/types/career").json()["claims"]}
    assert {("prior_career",), ("prior_career", None, "employer")} <= described


def test_the_certificate_of_employment_does_not_list_the_career_before(
    org: Organisation,
) -> None:
    do_add_detail(
        org.accounts["district-hr"][0],
        org.records["welfare"],
        DetailDraft(kind="career", title="연구원", issuer="연구원", starts_on=date(2006, 3, 2)),
    )
    document = do_issue_own_certificate(org.accounts["welfare"][0], "employment")
    assert "prior_career" not in document.claims
