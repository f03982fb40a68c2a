"""Credentials to wallets (OID4VCI 1.0, pre-authorized code): the citizen's offer page, then a
wallet (joserfc keys and proofs) through metadata, token, nonce and credential endpoints; the
received SD-JWT VC bound to the wallet's key and verified by the independent npm library
(@sd-jwt/sd-jwt-vc, tests/documents/sdjwt_verify.mjs). Bad requests refused and audited."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from gov3.accounts.models import User
from gov3.core.models import AuditEntry
from gov3.documents.issuers import jwks
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.services import do_issue_certificate
from gov3.identity.models import CredentialOffer
from gov3.registry.models import Person
from tests.conftest import tools_required

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tests" / "documents" / "sdjwt_verify.mjs"
ISSUER = "http://testserver"


@pytest.fixture
def certificate(settings: Any, citizen: User, family: dict[str, Person]) -> IssuedDocument:
    settings.GOV3_SITE_URL = ISSUER
    return do_issue_certificate(citizen, family["mother"], DocumentType.RESIDENT_REGISTRATION)


def _offer(client: Client, citizen: User, document: IssuedDocument) -> tuple[dict[str, Any], str]:
    """The citizen presses "Add to your wallet": the offer in the QR code; the code comes in
    their notifications, never on the page."""
    client.force_login(citizen)
    detail = client.get(f"/me/documents/{document.public_id}/").content.decode()
    assert "Add to your wallet" in detail
    page = client.post(f"/me/documents/{document.public_id}/wallet/").content.decode()
    link = re.search(r'href="(openid-credential-offer://[^"]+)"', page)
    assert link is not None
    assert "<svg" in page
    tx_code = code_in_notifications(client)
    assert tx_code not in page
    assert 'data-tx-code-sent="notifications"' in page  # the account has no e-mail address
    assert "the 6-digit code we sent to your notifications on this website" in page
    offer_json = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)["credential_offer"]
    return json.loads(unquote(offer_json[0]) if "%" in offer_json[0] else offer_json[0]), tx_code


def code_in_notifications(client: Client) -> str:
    """The newest transaction code in the signed-in citizen's notifications on the website."""
    inbox = client.get("/me/notifications/", headers={"accept-language": "en"}).content.decode()
    codes = re.findall(r"asks for a code, type (\d{6})\.", inbox)
    assert codes, inbox[:2000]
    return str(codes[0])  # unread first, newest first


def _proof(key: ECKey, nonce: str, *, aud: str = ISSUER, jwk_of: ECKey | None = None) -> str:
    header = {
        "alg": "ES256",
        "typ": "openid4vci-proof+jwt",
        "jwk": (jwk_of or key).as_dict(private=False),
    }
    return jwt.encode(header, {"aud": aud, "iat": int(time.time()), "nonce": nonce}, key)


def _token(wallet: Client, code: str, tx_code: str) -> Any:
    return wallet.post(
        "/oid4vci/token",
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": code,
            "tx_code": tx_code,
        },
    )


def _credential(wallet: Client, token: str, proof: str, kind: str = "resident_registration") -> Any:
    return wallet.post(
        "/oid4vci/credential",
        json.dumps({"credential_configuration_id": kind, "proofs": {"jwt": [proof]}}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _nonce(wallet: Client) -> str:
    return str(wallet.post("/oid4vci/nonce").json()["c_nonce"])


def _verify_independently(
    credential: str, document: IssuedDocument, client: Client, *, issuer: str = ISSUER
) -> Any:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@sd-jwt" / "sd-jwt-vc").is_dir():
        if tools_required():
            pytest.fail("node or node_modules/@sd-jwt is missing (run `npm ci`)")
        pytest.skip("node or node_modules/@sd-jwt is missing")
    (issuer_key,) = [key for key in jwks()["keys"] if key["kid"] == document.key.kid]
    status_path = f"/documents/status/{document.document_type}/{document.status_list.number}"
    status_token = client.get(status_path).content.decode()
    request = {
        "credential": credential,
        "jwk": {name: issuer_key[name] for name in ("kty", "crv", "x", "y")},
        "now": int(time.time()),
        "status_list": {"uri": f"{issuer}{status_path}", "token": status_token},
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


def test_a_wallet_receives_the_certificate_bound_to_its_key(
    client: Client, citizen: User, certificate: IssuedDocument
) -> None:
    wallet = Client()  # the wallet app: no cookies, no session
    metadata = wallet.get("/.well-known/openid-credential-issuer").json()
    assert metadata["credential_issuer"] == ISSUER
    configuration = metadata["credential_configurations_supported"]["resident_registration"]
    assert configuration["format"] == "dc+sd-jwt"
    server = wallet.get("/.well-known/oauth-authorization-server").json()
    assert server["token_endpoint"] == f"{ISSUER}/oid4vci/token"

    offer, tx_code = _offer(client, citizen, certificate)
    assert offer["credential_configuration_ids"] == ["resident_registration"]
    grant = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert grant["tx_code"]["length"] == 6
    token = _token(wallet, grant["pre-authorized_code"], tx_code)
    assert token.status_code == 200
    access_token = token.json()["access_token"]

    key = ECKey.generate_key("P-256", private=True)
    response = _credential(wallet, access_token, _proof(key, _nonce(wallet)))
    assert response.status_code == 200, response.content
    credential = response.json()["credentials"][0]["credential"]
    checked = _verify_independently(credential, certificate, client)
    assert checked["valid"], checked
    assert checked["claims"]["cnf"]["jwk"] == key.as_dict(private=False)
    assert checked["claims"]["document_number"] == certificate.number
    assert checked["claims"]["vct"].endswith("/documents/types/resident_registration")
    assert AuditEntry.objects.filter(action="identity.credential_delivered_to_wallet").count() == 1
    # One delivery per offer: the same token cannot fetch a second copy.
    again = _credential(wallet, access_token, _proof(key, _nonce(wallet)))
    assert again.status_code == 401


def test_a_guessed_transaction_code_locks_the_offer_after_five_tries(
    client: Client, citizen: User, certificate: IssuedDocument
) -> None:
    offer, tx_code = _offer(client, citizen, certificate)
    code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"][
        "pre-authorized_code"
    ]
    wallet = Client()
    wrong = "000000" if tx_code != "000000" else "111111"
    for _ in range(5):
        refused = _token(wallet, code, wrong)
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_grant"
    # Now even the right code is refused; nothing was issued.
    locked = _token(wallet, code, tx_code)
    assert locked.status_code == 400
    assert "Too many wrong" in locked.json()["error_description"]
    assert CredentialOffer.objects.get().token_sha256 is None
    reasons = [
        e.data["reason"]
        for e in AuditEntry.objects.filter(action="identity.wallet_request_refused")
    ]
    assert reasons == ["wrong tx_code"] * 5 + ["locked"]


def test_an_expired_or_replayed_code_is_refused(
    client: Client, citizen: User, certificate: IssuedDocument
) -> None:
    offer, tx_code = _offer(client, citizen, certificate)
    code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"][
        "pre-authorized_code"
    ]
    wallet = Client()
    assert _token(wallet, code, tx_code).status_code == 200
    assert _token(wallet, code, tx_code).json()["error"] == "invalid_grant"  # used
    offer, tx_code = _offer(client, citizen, certificate)
    code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"][
        "pre-authorized_code"
    ]
    CredentialOffer.objects.filter(token_sha256__isnull=True).update(expires_at=timezone.now())
    assert _token(wallet, code, tx_code).json()["error"] == "invalid_grant"


def test_a_proof_from_another_wallet_or_for_another_issuer_is_refused(
    client: Client, citizen: User, certificate: IssuedDocument
) -> None:
    offer, tx_code = _offer(client, citizen, certificate)
    code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"][
        "pre-authorized_code"
    ]
    wallet = Client()
    access_token = _token(wallet, code, tx_code).json()["access_token"]
    mine, theirs = (
        ECKey.generate_key("P-256", private=True),
        ECKey.generate_key("P-256", private=True),
    )
    cases = {
        # signed by another wallet's key while naming mine
        "invalid_proof": _proof(theirs, _nonce(wallet), jwk_of=mine),
    }
    assert (
        _credential(wallet, access_token, cases["invalid_proof"]).json()["error"] == "invalid_proof"
    )
    assert (
        _credential(
            wallet, access_token, _proof(mine, _nonce(wallet), aud="https://other.example")
        ).json()["error"]
        == "invalid_proof"
    )
    assert (
        _credential(wallet, access_token, _proof(mine, "made-up-nonce")).json()["error"]
        == "invalid_nonce"
    )
    assert (
        _credential(wallet, access_token, _proof(mine, _nonce(wallet)), kind="passport").json()[
            "error"
        ]
        == "unknown_credential_configuration"
    )
    assert _credential(wallet, "not-a-token", _proof(mine, _nonce(wallet))).status_code == 401
    assert CredentialOffer.objects.get().issued_at is None
    assert AuditEntry.objects.filter(action="identity.wallet_request_refused").count() == 5
    # The honest request still works afterwards.
    assert _credential(wallet, access_token, _proof(mine, _nonce(wallet))).status_code == 200
