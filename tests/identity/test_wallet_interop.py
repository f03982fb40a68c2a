"""The whole OID4VCI flow driven by an independent wallet-side implementation (npm
@openid4vc/openid4vci, tests/identity/oid4vci_wallet.mjs) against the live server; the
received credential then verified by the independent SD-JWT library (@sd-jwt/sd-jwt-vc)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gov3.accounts.models import User
from gov3.documents.models import DocumentType
from gov3.documents.services import do_issue_certificate
from gov3.registry.models import Person
from tests.conftest import tools_required
from tests.identity.test_wallets import _verify_independently, code_in_notifications

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_server_connections"),
]

ROOT = Path(__file__).resolve().parents[2]
WALLET = ROOT / "tests" / "identity" / "oid4vci_wallet.mjs"


def test_an_independent_wallet_receives_a_bound_certificate(
    live_server: Any, settings: Any, citizen: User, family: dict[str, Person]
) -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@openid4vc" / "openid4vci").is_dir():
        if tools_required():
            pytest.fail("node or node_modules/@openid4vc is missing (run `npm ci`)")
        pytest.skip("node or node_modules/@openid4vc is missing")
    settings.GOV3_SITE_URL = live_server.url
    document = do_issue_certificate(citizen, family["mother"], DocumentType.FAMILY_RELATIONS)
    client = Client()
    client.force_login(citizen)
    page = client.post(f"/me/documents/{document.public_id}/wallet/").content.decode()
    link = re.search(r'href="(openid-credential-offer://[^"]+)"', page)
    assert link is not None
    # The code is not on the page: it is in the citizen's notifications (no e-mail address).
    tx_code = code_in_notifications(client)
    assert tx_code not in page
    done = subprocess.run(
        [node, str(WALLET)],
        input=json.dumps({"offer": html.unescape(link.group(1)), "tx_code": tx_code}),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    received = json.loads(done.stdout)
    assert "error" not in received, received
    (credential,) = received["credentials"]
    checked = _verify_independently(
        credential["credential"], document, client, issuer=live_server.url
    )
    assert checked["valid"], checked
    assert checked["claims"]["cnf"]["jwk"] == received["jwk"]
    assert checked["claims"]["document_number"] == document.number
