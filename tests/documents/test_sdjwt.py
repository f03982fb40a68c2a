"""SD-JWT VC issuance and verification: what a holder can hide, and what a forger cannot do."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gov3.documents.core import sdjwt
from gov3.documents.core.errors import REASON_CODES, CredentialInvalidError
from gov3.documents.core.jose import b64url, b64url_decode
from gov3.documents.core.sdjwt import StatusReference, issue, sign_jws, verify
from gov3.documents.core.signing import PrivateKeySigner

SIGNER = PrivateKeySigner.generate()
OTHER = PrivateKeySigner.generate()
KEYS = {SIGNER.kid: SIGNER.public_key}
ISSUER = "https://gov3.example.kr"
VCT = "https://gov3.example.kr/credentials/family-relation"
NOW = 1_764_200_000
CLAIMS: dict[str, Any] = {
    "given_name": "길동",
    "family_name": "홍",
    "birth_date": "1990-01-01",
    "document_number": "FRC-2025-0012345",
    "address": {"locality": "서울특별시 종로구", "street": "세종대로 209"},
    "children": ["홍길순", "홍길남"],
    "adult": True,
    "household_size": 4,
    "office": "종로구청",
    "certificate": "가족관계증명서",
}
STATUS = StatusReference(idx=42, uri="https://gov3.example.kr/status/1")


def _issue(**changes: Any) -> sdjwt.IssuedCredential:
    arguments: dict[str, Any] = {
        "issuer": ISSUER,
        "vct": VCT,
        "claims": CLAIMS,
        "issued_at": NOW,
        "expires_at": NOW + 86_400,
        "status": STATUS,
    }
    return issue(SIGNER, **(arguments | changes))


def _part(text: str) -> Any:
    return json.loads(b64url_decode(text))


def _reason(text: str, keys: Any = None, **options: Any) -> str:
    with pytest.raises(CredentialInvalidError) as caught:
        verify(text, KEYS if keys is None else keys, now=NOW, **options)
    return caught.value.reason


def _signed(header: dict[str, Any], payload: dict[str, Any], *disclosures: str) -> str:
    return "~".join([sign_jws(SIGNER, header, payload), *disclosures, ""])


HEADER = {"alg": "ES256", "typ": "dc+sd-jwt", "kid": SIGNER.kid}


def test_a_verifier_sees_every_claim_of_the_whole_credential() -> None:
    result = verify(_issue().serialized, KEYS, now=NOW)

    assert result.claims == CLAIMS
    assert (result.issuer, result.vct, result.kid) == (ISSUER, VCT, SIGNER.kid)
    assert (result.issued_at, result.expires_at) == (NOW, NOW + 86_400)
    assert result.status == STATUS
    assert result.expired is False


def test_the_signed_part_holds_digests_not_values() -> None:
    credential = _issue()
    header_part, payload_part, _ = credential.jwt.split(".")
    payload = _part(payload_part)

    assert _part(header_part) == {"alg": "ES256", "typ": "dc+sd-jwt", "kid": SIGNER.kid}
    assert payload["_sd_alg"] == "sha-256"
    assert payload["status"] == {"status_list": {"idx": 42, "uri": STATUS.uri}}
    assert payload["_sd"] == sorted(payload["_sd"])
    assert not set(CLAIMS) & set(payload)
    assert "길동" not in b64url_decode(payload_part).decode("utf-8")
    for name, disclosure in credential.disclosures.items():
        salt, disclosed_name, value = _part(disclosure)
        assert len(b64url_decode(salt)) == 16
        assert (disclosed_name, value) == (name, CLAIMS[name])
        digest = b64url(hashlib.sha256(disclosure.encode("ascii")).digest())
        assert digest in payload["_sd"]
    assert credential.serialized.endswith("~")
    assert credential.serialized.count("~") == len(CLAIMS) + 1


def test_the_same_claims_issued_twice_cannot_be_linked_by_their_digests() -> None:
    first, second = _part(_issue().jwt.split(".")[1]), _part(_issue().jwt.split(".")[1])

    assert not set(first["_sd"]) & set(second["_sd"])


def test_a_holder_shows_only_the_claims_they_choose() -> None:
    credential = _issue()

    presented = verify(credential.present(["birth_date", "adult"]), KEYS, now=NOW)
    nothing = verify(credential.present([]), KEYS, now=NOW)

    assert presented.claims == {"birth_date": "1990-01-01", "adult": True}
    assert nothing.claims == {}
    assert nothing.status == STATUS


def test_always_visible_claims_need_no_disclosure() -> None:
    credential = _issue(always_visible=["document_number", "office"])

    result = verify(credential.present([]), KEYS, now=NOW)

    assert result.claims == {"document_number": "FRC-2025-0012345", "office": "종로구청"}
    assert set(credential.disclosures) == set(CLAIMS) - {"document_number", "office"}
    with pytest.raises(ValueError, match="document_number"):
        credential.present(["document_number"])


def test_decoy_digests_hide_how_many_claims_there_are() -> None:
    credential = _issue(decoys=5)

    assert len(_part(credential.jwt.split(".")[1])["_sd"]) == len(CLAIMS) + 5
    assert verify(credential.serialized, KEYS, now=NOW).claims == CLAIMS


def test_expiry_is_reported_not_raised() -> None:
    credential = _issue(expires_at=NOW + 10)

    assert verify(credential.serialized, KEYS, now=NOW + 69).expired is False
    assert verify(credential.serialized, KEYS, now=NOW + 70).expired is True
    assert verify(_issue(expires_at=None).serialized, KEYS, now=NOW + 10**9).expired is False


def test_a_credential_from_the_future_is_not_yet_valid() -> None:
    credential = _issue(issued_at=NOW + 61, expires_at=NOW + 1000)

    assert _reason(credential.serialized) == "not_yet_valid"
    assert verify(credential.serialized, KEYS, now=NOW + 1).claims == CLAIMS


def test_not_before_in_the_future_is_not_yet_valid() -> None:
    payload = {"iss": ISSUER, "iat": NOW, "nbf": NOW + 3600, "vct": VCT}

    assert _reason(_signed(HEADER, payload)) == "not_yet_valid"


def test_another_credential_type_is_refused_when_a_type_is_expected() -> None:
    credential = _issue().serialized

    assert _reason(credential, expected_vct="https://gov3.example.kr/credentials/passport") == (
        "wrong_type"
    )
    assert verify(credential, KEYS, now=NOW, expected_vct=VCT).vct == VCT


@pytest.mark.parametrize("typ", ["vc+sd-jwt", "JWT", "statuslist+jwt", None])
def test_other_token_types_are_refused(typ: str | None) -> None:
    payload = {"iss": ISSUER, "iat": NOW, "vct": VCT}

    assert _reason(_signed(HEADER | {"typ": typ}, payload)) == "wrong_type"


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", "ES384", "EdDSA", None])
def test_only_es256_is_accepted(alg: str | None) -> None:
    _, payload, signature = _issue().jwt.split(".")
    forged_header = b64url(json.dumps({"alg": alg, "typ": "dc+sd-jwt", "kid": SIGNER.kid}).encode())

    assert _reason(f"{forged_header}.{payload}.{signature}~") == "unsupported_algorithm"
    assert _reason(f"{forged_header}.{payload}.~") == "unsupported_algorithm"


def test_a_key_the_verifier_does_not_trust_is_unknown() -> None:
    credential = _issue().serialized

    assert _reason(credential, keys={OTHER.kid: OTHER.public_key}) == "unknown_key"
    assert _reason(credential, keys={}) == "unknown_key"


def test_a_signature_by_another_key_under_our_kid_is_bad() -> None:
    credential = _issue().serialized

    assert _reason(credential, keys={SIGNER.kid: OTHER.public_key}) == "bad_signature"


def test_a_disclosure_from_another_credential_is_refused() -> None:
    mine, theirs = _issue(), _issue()
    mixed = mine.jwt + "~" + theirs.disclosures["given_name"] + "~"

    assert _reason(mixed) == "bad_disclosure"


def test_a_repeated_disclosure_is_refused() -> None:
    credential = _issue()
    twice = credential.present(["adult"]) + credential.disclosures["adult"] + "~"

    assert _reason(twice) == "bad_disclosure"


def test_a_key_binding_jwt_is_refused_because_holder_binding_is_not_supported() -> None:
    assert _reason(_issue().serialized + "eyJhbGciOiJFUzI1NiJ9.e30.sig") == "malformed"


def test_a_digest_listed_twice_is_refused() -> None:
    disclosure = b64url(json.dumps(["c2FsdHNhbHRzYWx0c2FsdA", "a", 1]).encode())
    digest = b64url(hashlib.sha256(disclosure.encode()).digest())
    payload = {"iss": ISSUER, "iat": NOW, "vct": VCT, "_sd": [digest, digest]}

    assert _reason(_signed(HEADER, payload, disclosure)) == "malformed"


def _disclosure(*element: Any) -> tuple[str, str]:
    text = b64url(json.dumps(element, ensure_ascii=False).encode())
    return text, b64url(hashlib.sha256(text.encode()).digest())


def test_nested_and_array_disclosures_are_resolved_as_rfc_9901_describes() -> None:
    street, street_digest = _disclosure("salt-1", "street", "세종대로 209")
    child, child_digest = _disclosure("salt-2", "홍길순")
    address, address_digest = _disclosure(
        "salt-3", "address", {"locality": "종로구", "_sd": [street_digest]}
    )
    payload = {
        "iss": ISSUER,
        "iat": NOW,
        "vct": VCT,
        "_sd": [address_digest],
        "children": [{"...": child_digest}, "홍길남"],
    }
    text = _signed(HEADER, payload, address, street, child)

    assert verify(text, KEYS, now=NOW).claims == {
        "address": {"locality": "종로구", "street": "세종대로 209"},
        "children": ["홍길순", "홍길남"],
    }
    assert verify(_signed(HEADER, payload, address), KEYS, now=NOW).claims == {
        "address": {"locality": "종로구"},
        "children": ["홍길남"],
    }
    assert _reason(_signed(HEADER, payload, street)) == "bad_disclosure"  # its parent is hidden


@pytest.mark.parametrize(
    "element",
    [
        ("salt", "iss", "https://evil.example"),  # a registered claim, already in the payload
        ("salt", "_sd", []),
        ("salt", "value-without-name"),  # an array element's disclosure under _sd
        ("salt", "a", 1, "extra"),
        (1, "a", 1),
        {"salt": "x"},
    ],
)
def test_disclosures_of_the_wrong_shape_or_name_are_refused(element: Any) -> None:
    text, digest = _disclosure(*element) if isinstance(element, tuple) else _disclosure(element)
    payload = {"iss": ISSUER, "iat": NOW, "vct": VCT, "_sd": [digest]}

    assert _reason(_signed(HEADER, payload, text)) == "bad_disclosure"


def test_a_registered_claim_may_not_come_from_a_disclosure() -> None:
    status, digest = _disclosure("salt", "status", {"status_list": {"idx": 0, "uri": "x"}})
    payload = {"iss": ISSUER, "iat": NOW, "vct": VCT, "_sd": [digest]}

    assert _reason(_signed(HEADER, payload, status)) == "bad_disclosure"


@pytest.mark.parametrize(
    "payload",
    [
        {"iat": NOW, "vct": VCT},
        {"iss": ISSUER, "vct": VCT},
        {"iss": ISSUER, "iat": NOW},
        {"iss": ISSUER, "iat": True, "vct": VCT},
        {"iss": ISSUER, "iat": NOW + 0.5, "vct": VCT},
        {"iss": ISSUER, "iat": NOW, "vct": VCT, "exp": "tomorrow"},
        {"iss": ISSUER, "iat": NOW, "vct": VCT, "_sd": "digest"},
        {"iss": ISSUER, "iat": NOW, "vct": VCT, "status": {"status_list": {"idx": -1}}},
    ],
)
def test_payloads_missing_or_mistyping_required_claims_are_malformed(
    payload: dict[str, Any],
) -> None:
    assert _reason(_signed(HEADER, payload)) == "malformed"


def test_another_sd_alg_is_unsupported() -> None:
    payload = {"iss": ISSUER, "iat": NOW, "vct": VCT, "_sd_alg": "sha-1"}

    assert _reason(_signed(HEADER, payload)) == "unsupported_algorithm"


def test_duplicate_json_members_are_refused() -> None:
    header = b64url(b'{"alg":"ES256","alg":"none","typ":"dc+sd-jwt"}')

    assert _reason(f"{header}.e30.AAAA~") == "malformed"


def test_a_signature_with_stray_trailing_bits_is_refused() -> None:
    header, payload, signature = _issue().jwt.split(".")
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # 64 bytes need 86 characters: the last one carries 2 bits and 4 unused ones
    same_bits = last[(last.index(signature[-1]) // 16) * 16 + (last.index(signature[-1]) + 1) % 16]
    twin = signature[:-1] + same_bits

    assert b64url_decode(twin) == b64url_decode(signature)
    assert _reason(f"{header}.{payload}.{twin}~") == "malformed"


REPLACEMENTS = ("A", "z", "0", "-", "_", "~", ".", "=", "é")


def test_changing_any_character_anywhere_makes_verification_fail() -> None:
    text = _issue().serialized
    assert len(text) > 800

    for position, original in enumerate(text):
        for replacement in REPLACEMENTS:
            if replacement == original:
                continue
            changed = text[:position] + replacement + text[position + 1 :]
            with pytest.raises(CredentialInvalidError):
                verify(changed, KEYS, now=NOW)


def test_removing_a_disclosure_only_hides_that_claim() -> None:
    credential = _issue()
    text = credential.serialized.replace(credential.disclosures["address"] + "~", "")

    assert verify(text, KEYS, now=NOW).claims == {k: v for k, v in CLAIMS.items() if k != "address"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"claims": {"iss": "x"}}, "'iss' is set by the issuer"),
        ({"claims": {"_sd": []}}, "'_sd' is set by the issuer"),
        ({"claims": {"status": 1}}, "'status' is set by the issuer"),
        ({"claims": {"photo": b"\x89PNG"}}, "not JSON"),
        ({"claims": {"ratio": float("nan")}}, "not JSON"),
        ({"always_visible": ["nickname"]}, "not given: nickname"),
        ({"expires_at": NOW}, "after issued_at"),
        ({"issued_at": "now"}, "whole seconds"),
        ({"issuer": ""}, "issuer"),
        ({"vct": None}, "vct"),
        ({"decoys": -1}, "decoys"),
    ],
)
def test_issue_refuses_what_it_cannot_sign_faithfully(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _issue(**changes)


def test_presenting_an_unknown_claim_is_refused() -> None:
    with pytest.raises(ValueError, match="nickname"):
        _issue().present(["nickname"])


def test_non_text_and_oversized_input_is_malformed() -> None:
    assert _reason(_issue().serialized.encode()) == "malformed"  # type: ignore[arg-type]
    assert _reason("~" * (sdjwt.MAX_LENGTH + 1)) == "malformed"


# Fuzzing: garbage in, CredentialInvalidError out, never another exception.

TEXT = _issue().serialized
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow])


def _verify_or_refuse(text: str) -> sdjwt.VerifiedCredential | None:
    try:
        return verify(text, KEYS, now=NOW)
    except CredentialInvalidError:
        return None


@FUZZ
@given(st.text())
def test_random_text_is_refused(text: str) -> None:
    assert _verify_or_refuse(text) is None


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_read_as_text_are_refused(data: bytes) -> None:
    assert _verify_or_refuse(data.decode("latin-1")) is None
    assert _verify_or_refuse(base64.urlsafe_b64encode(data).decode() + "~") is None


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(TEXT) - 1),
            st.integers(min_value=0, max_value=3),
            st.text(min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mutations_never_yield_claims_that_were_not_issued(
    edits: list[tuple[int, int, str]],
) -> None:
    text = TEXT
    for position, deleted, inserted in edits:
        text = text[:position] + inserted + text[position + deleted :]

    result = _verify_or_refuse(text)

    if result is not None:  # only possible when whole disclosures were cut out
        assert result.claims.items() <= CLAIMS.items()


def _json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=5), children, max_size=4
    )


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    _json_containers,
    max_leaves=20,
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["iss", "iat", "exp", "nbf", "vct", "status", "_sd", "_sd_alg", "x"]),
        JSON_VALUES,
    ),
    st.lists(JSON_VALUES, max_size=3),
)
@example({"iss": ISSUER, "vct": VCT, "iat": NOW, "x": {"a": [1, None]}}, [])  # accepted
@example({"iss": ISSUER, "vct": VCT, "iat": NOW, "_sd": []}, ["smuggled"])  # refused
def test_signed_payloads_of_any_shape_never_crash_the_verifier(
    payload: dict[str, Any], elements: list[Any]
) -> None:
    disclosures = [_disclosure(element) for element in elements]
    listed = [digest for _, digest in disclosures]
    if isinstance(payload.get("_sd"), list):
        payload["_sd"] = payload["_sd"] + listed
    text = _signed(HEADER, payload, *(text for text, _ in disclosures))

    try:
        result = verify(text, KEYS, now=NOW)
    except CredentialInvalidError as error:
        refused: CredentialInvalidError | None = error
    else:
        refused = None
    if refused is not None:
        assert refused.reason in REASON_CODES  # a reason a page can translate
        well_formed = (
            not elements
            and set(payload) <= {"iss", "vct", "iat", "x"}
            and isinstance(payload.get("iss"), str)
            and isinstance(payload.get("vct"), str)
            and type(payload.get("iat")) is int
            and payload["iat"] <= NOW
        )
        assert not well_formed, f"a well-formed credential was refused: {refused}"
        return
    # Accepted: every disclosure drawn here is malformed (one JSON value, not [salt, name,
    # value]), so none can have been; and only what was signed in the clear is shown.
    assert not elements
    assert (result.issuer, result.vct, result.issued_at) == (
        payload["iss"],
        payload["vct"],
        payload["iat"],
    )
    assert type(payload["iat"]) is int
    hidden = {"iss", "iat", "exp", "nbf", "vct", "status", "_sd", "_sd_alg"}
    assert result.claims == {k: v for k, v in payload.items() if k not in hidden}
