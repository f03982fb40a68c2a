"""SD-JWT VC Type Metadata at the credential's `vct` URL (issue 14, item 9): the URL returned
404, so a wallet could show neither the credential's name nor its claims' labels."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from gov3.accounts.models import User
from gov3.documents.core.sdjwt import verify
from gov3.documents.issuers import jwks
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.services import do_issue_certificate
from gov3.registry.models import Person

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "documents" / "sdjwt_type_metadata.mjs"
LIBRARY = ROOT / "node_modules" / "@sd-jwt" / "sd-jwt-vc" / "package.json"
NODE = shutil.which("node")


def _credential(document: IssuedDocument) -> tuple[str, dict[str, Any]]:
    """The credential's `vct` and every claim it discloses, as a verifier reads them."""
    keys = {key.kid: key.public_key for key in _trusted().values()}
    verified = verify(document.credential, keys, now=int(time.time()))
    return verified.vct, dict(verified.claims)


def _trusted() -> dict[str, Any]:
    from gov3.documents.core.verify import trusted_keys  # noqa: PLC0415

    return trusted_keys(jwks())


def _paths(value: Any, prefix: tuple[str | None, ...] = ()) -> set[tuple[str | None, ...]]:
    """Every claim path of a credential, lists as `None` (the draft's "every element")."""
    found: set[tuple[str | None, ...]] = set()
    if isinstance(value, dict):
        for name, inner in value.items():
            found.add((*prefix, name))
            found |= _paths(inner, (*prefix, name))
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for item in value:
            found |= _paths(item, (*prefix, None))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document_type", "names"),
    [
        (
            DocumentType.RESIDENT_REGISTRATION,
            {"ko": "주민등록표 등본", "vi": "Giấy chứng nhận đăng ký cư trú"},
        ),
        (DocumentType.FAMILY_RELATIONS, {"ko": "가족관계증명서", "en": "Family relations"}),
    ],
)
def test_the_vct_url_describes_the_credential_in_three_languages(
    client: Client,
    citizen: User,
    family: dict[str, Person],
    document_type: str,
    names: dict[str, str],
) -> None:
    document = do_issue_certificate(citizen, family["mother"], document_type)
    vct, claims = _credential(document)
    response = client.get(vct.removeprefix(settings.GOV3_SITE_URL))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    metadata = response.json()
    assert metadata["vct"] == vct
    display = {entry["locale"]: entry for entry in metadata["display"]}
    assert set(display) == {"ko", "en", "vi"}
    for language, name in names.items():
        assert name in display[language]["name"]
    described = {tuple(claim["path"]) for claim in metadata["claims"]}
    shown = _paths(
        {k: v for k, v in claims.items() if k not in {"iss", "iat", "exp", "vct", "status"}}
    )
    assert shown <= described, shown - described
    for claim in metadata["claims"]:
        assert claim["sd"] == "allowed"
        assert {d["locale"] for d in claim["display"]} == {"ko", "en", "vi"}
        assert all(d["label"] for d in claim["display"])


@pytest.mark.django_db
def test_an_unknown_type_is_not_found(client: Client) -> None:
    assert client.get("/documents/types/driving_licence").status_code == 404
    passport = client.get("/documents/types/passport").json()
    assert {tuple(c["path"]) for c in passport["claims"]} >= {("passport_number",), ("mrz",)}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_wallet_library_fetches_the_type_metadata_from_the_vct_url(
    live_server: Any, settings: Any, citizen: User, family: dict[str, Person]
) -> None:
    """The OpenWallet Foundation's @sd-jwt/sd-jwt-vc verifies a certificate, fetching its
    status list and its Type Metadata from a real gov3 server on 127.0.0.1."""
    if NODE is None or not LIBRARY.is_file():
        reason = "node or node_modules/@sd-jwt is missing (run `npm ci`)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    settings.GOV3_SITE_URL = live_server.url
    document = do_issue_certificate(citizen, family["mother"], DocumentType.FAMILY_RELATIONS)
    jwk = next(k for k in jwks()["keys"] if k["kid"] == document.key.kid)
    completed = subprocess.run(
        [NODE, str(SCRIPT)],
        input=json.dumps({"credential": document.credential, "jwk": jwk}),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    answer = json.loads(completed.stdout)
    assert answer["valid"], answer.get("error")
    metadata = answer["typeMetadata"]
    assert metadata["vct"] == f"{live_server.url}/documents/types/family_relations"
    ko = next(d for d in metadata["display"] if d["locale"] == "ko")
    assert ko["name"] == "가족관계증명서"
