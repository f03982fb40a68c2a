"""The QR payload: COSE_Sign1 over CWT claims, ZLIB, Base45, prefix; checkable offline."""

from __future__ import annotations

import random
import zlib
from typing import Any

import base45  # type: ignore[import-untyped]
import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gov3.documents.core import cwt
from gov3.documents.core.cwt import decode_qr, encode_qr
from gov3.documents.core.errors import CredentialInvalidError
from gov3.documents.core.jose import b64url_decode, der_signature, raw_signature
from gov3.documents.core.signing import PrivateKeySigner

SIGNER = PrivateKeySigner.generate()
OTHER = PrivateKeySigner.generate()
KEYS = {SIGNER.kid: SIGNER.public_key}
ISSUER = "https://gov3.go.kr"
NOW = 1_764_200_000
# A family relation certificate as printed: ten short claims, Hangul included.
CERTIFICATE: dict[str, Any] = {
    "t": "FRC",
    "no": "2025-0012345",
    "n": "홍길동",
    "nr": "HONG GILDONG",
    "b": "1990-01-01",
    "s": "M",
    "a": "서울특별시 종로구 세종대로 209",
    "p": "가족관계증명서",
    "o": "종로구청",
    "d": "2025-11-27",
}
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _qr(claims: dict[str, Any] = CERTIFICATE, **changes: Any) -> str:
    arguments: dict[str, Any] = {
        "issuer": ISSUER,
        "issued_at": NOW,
        "expires_at": NOW + 90 * 86_400,
    }
    return encode_qr(SIGNER, claims, **(arguments | changes))


def _reason(text: Any, *, keys: Any = None, now: int = NOW) -> str:
    with pytest.raises(CredentialInvalidError) as caught:
        decode_qr(text, KEYS if keys is None else keys, now=now)
    return caught.value.reason


def _qr_of(message: bytes, prefix: str = "GV1:") -> str:
    return prefix + str(base45.b45encode(zlib.compress(message)).decode())


def _cose(protected: dict[int, Any], payload: dict[int, Any], *, signer: Any = SIGNER) -> bytes:
    protected_bytes, payload_bytes = cbor2.dumps(protected), cbor2.dumps(payload)
    to_sign = cbor2.dumps(["Signature1", protected_bytes, b"", payload_bytes])
    signature = raw_signature(signer.sign(to_sign))
    return cbor2.dumps(cbor2.CBORTag(18, [protected_bytes, {}, payload_bytes, signature]))


KID = b64url_decode(SIGNER.kid)
CWT = {1: ISSUER, 6: NOW, -65537: {"v": 1, "n": "홍길동"}}


def test_a_scanned_certificate_reads_back_every_claim() -> None:
    result = decode_qr(_qr(), KEYS, now=NOW)

    assert result.claims == CERTIFICATE
    assert (result.issuer, result.kid) == (ISSUER, SIGNER.kid)
    assert (result.issued_at, result.expires_at) == (NOW, NOW + 90 * 86_400)
    assert result.expired is False


def test_a_typical_certificate_fits_a_qr_code_comfortably() -> None:
    text = _qr()

    # 484 characters: version 14 at error correction M (528 alphanumeric); the EU COVID
    # certificate's QR codes carry ~500-600.
    assert len(text) < 500
    assert set(text[4:]) <= set(BASE45)


def test_the_layers_are_those_of_the_eu_covid_certificate() -> None:
    text = _qr()
    assert text.startswith("GV1:")

    message = cbor2.loads(zlib.decompress(base45.b45decode(text[4:])))
    protected_bytes, unprotected, payload_bytes, signature = message.value
    payload = cbor2.loads(payload_bytes)

    assert message.tag == 18
    assert cbor2.loads(protected_bytes) == {1: -7, 4: KID}
    assert unprotected == {}
    assert payload == {
        1: ISSUER,
        6: NOW,
        4: NOW + 90 * 86_400,
        -65537: {"v": 1, **CERTIFICATE},
    }
    signed = cbor2.dumps(["Signature1", protected_bytes, b"", payload_bytes])
    SIGNER.public_key.verify(der_signature(signature), signed, ec.ECDSA(hashes.SHA256()))


def test_nested_values_and_bytes_survive() -> None:
    claims = {
        "c": ["홍길순", "홍길남"],
        "h": {"k": 4, "a": True, "z": None},
        "x": b"\x00\xff",
        "r": 1.5,
    }

    assert decode_qr(_qr(claims), KEYS, now=NOW).claims == claims


def test_expiry_is_reported_and_a_future_issue_time_refused() -> None:
    text = _qr(expires_at=NOW + 100)

    assert decode_qr(text, KEYS, now=NOW + 159).expired is False
    assert decode_qr(text, KEYS, now=NOW + 160).expired is True
    assert decode_qr(_qr(expires_at=None), KEYS, now=NOW + 10**9).expired is False
    assert _reason(text, now=NOW - 61) == "not_yet_valid"


def test_another_prefix_is_refused() -> None:
    text = _qr()

    assert _reason("HC1:" + text[4:]) == "wrong_prefix"
    assert _reason(text[4:]) == "wrong_prefix"
    assert _reason("gv1:" + text[4:]) == "wrong_prefix"
    assert decode_qr(_qr(prefix="GVX:"), KEYS, now=NOW, prefix="GVX:").claims == CERTIFICATE


def test_unknown_keys_and_wrong_signatures_are_refused() -> None:
    text = _qr()

    assert _reason(text, keys={OTHER.kid: OTHER.public_key}) == "unknown_key"
    assert _reason(text, keys={SIGNER.kid: OTHER.public_key}) == "bad_signature"


@pytest.mark.parametrize("alg", [-35, -8, 5, "ES256", None])
def test_only_es256_is_accepted(alg: Any) -> None:
    assert _reason(_qr_of(_cose({1: alg, 4: KID}, CWT))) == "unsupported_algorithm"


def test_a_hand_built_message_with_our_layout_is_accepted() -> None:
    assert decode_qr(_qr_of(_cose({1: -7, 4: KID}, CWT)), KEYS, now=NOW).claims == {"n": "홍길동"}


@pytest.mark.parametrize(
    "message",
    [
        cbor2.dumps([b"", {}, b"", b""]),  # untagged
        cbor2.dumps(cbor2.CBORTag(98, [b"", {}, b"", b""])),  # COSE_Sign, not COSE_Sign1
        cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b""])),
        cbor2.dumps(cbor2.CBORTag(18, "text")),
        _cose({1: -7, 4: KID}, CWT) + b"\x00",  # trailing bytes
        b"\xff",
    ],
)
def test_messages_of_the_wrong_shape_are_malformed(message: bytes) -> None:
    assert _reason(_qr_of(message)) == "malformed"


def test_an_unprotected_header_is_refused_because_nothing_unsigned_is_read() -> None:
    protected, _, payload, signature = cbor2.loads(_cose({1: -7, 4: KID}, CWT)).value
    unsigned = cbor2.CBORTag(18, [protected, {4: b"other kid"}, payload, signature])

    assert _reason(_qr_of(cbor2.dumps(unsigned))) == "malformed"


@pytest.mark.parametrize(
    ("protected", "payload"),
    [
        ({1: -7, 4: KID, 2: [1]}, CWT),  # crit
        ({1: -7, 4: KID.hex()}, CWT),
        ({1: -7, 4: KID}, [ISSUER]),
        ({1: -7, 4: KID}, {6: NOW, -65537: {"v": 1}}),
        ({1: -7, 4: KID}, {1: ISSUER, -65537: {"v": 1}}),
        ({1: -7, 4: KID}, {1: ISSUER, 6: NOW, 4: "soon", -65537: {"v": 1}}),
        ({1: -7, 4: KID}, {1: ISSUER, 6: NOW}),
        ({1: -7, 4: KID}, {1: ISSUER, 6: NOW, -65537: {"v": 2}}),
        ({1: -7, 4: KID}, {1: ISSUER, 6: NOW, -65537: {"v": 1, 5: "int key"}}),
        ({1: -7, 4: KID}, {1: ISSUER, 6: NOW, -65537: {"v": 1, "d": cbor2.CBORTag(1, 0)}}),
    ],
)
def test_signed_but_malformed_content_is_refused(
    protected: dict[int, Any], payload: dict[int, Any]
) -> None:
    assert _reason(_qr_of(_cose(protected, payload))) == "malformed"


def test_size_guards_refuse_long_texts_and_zip_bombs() -> None:
    bomb = "GV1:" + base45.b45encode(zlib.compress(bytes(1_000_000), 9)).decode()
    assert len(bomb) < cwt.MAX_QR_LENGTH

    assert _reason(bomb) == "malformed"
    assert _reason("GV1:" + "0" * cwt.MAX_QR_LENGTH) == "malformed"
    with pytest.raises(ValueError, match="do not fit a QR code"):
        _qr({"a": random.Random(0).randbytes(3000)})  # incompressible


@pytest.mark.parametrize(
    ("claims", "changes", "message"),
    [
        ({"v": 2}, {}, "payload version"),
        ({"d": object()}, {}, "claims are str"),
        ({1: "int key"}, {}, "claims are str"),
        (CERTIFICATE, {"prefix": "gv1:"}, "prefix"),
        (CERTIFICATE, {"expires_at": NOW}, "after issued_at"),
        (CERTIFICATE, {"issuer": ""}, "issuer"),
    ],
)
def test_encode_refuses_what_it_cannot_print_faithfully(
    claims: dict[Any, Any], changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _qr(claims, **changes)


def test_no_single_character_change_gives_a_different_valid_answer() -> None:
    text = _qr()
    original = decode_qr(text, KEYS, now=NOW)
    unchanged = 0

    for position, character in enumerate(text):
        for replacement in BASE45 + "a\n":
            if replacement == character:
                continue
            changed = text[:position] + replacement + text[position + 1 :]
            try:
                result = decode_qr(changed, KEYS, now=NOW)
            except CredentialInvalidError:
                continue
            # The only escape: ZLIB ignores the unused padding bits after the final deflate
            # block, so flipping one of those changes nothing that is read.
            assert result == original
            assert position >= len(text) - 12
            unchanged += 1

    assert unchanged <= 5


# Fuzzing: garbage in, CredentialInvalidError out, never another exception.

FUZZ = settings(suppress_health_check=[HealthCheck.too_slow])

CBOR_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=70),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.integers(-70_000, 10) | st.text(max_size=3), children, max_size=5)
        | st.builds(
            cbor2.CBORTag, st.sampled_from([0, 1, 2, 18, 24, 32, 35, 37, 258, 61]), children
        )
    ),
    max_leaves=25,
)


def _refused(text: str) -> None:
    with pytest.raises(CredentialInvalidError):
        decode_qr(text, KEYS, now=NOW)


@FUZZ
@given(st.text(max_size=500))
def test_random_text_is_refused(text: str) -> None:
    _refused(text)
    _refused("GV1:" + text)


@FUZZ
@given(st.binary(max_size=1500))
def test_random_bytes_in_base45_and_zlib_are_refused(data: bytes) -> None:
    _refused("GV1:" + base45.b45encode(data).decode())
    _refused(_qr_of(data))


@FUZZ
@given(CBOR_VALUES)
def test_random_cbor_is_refused(value: Any) -> None:
    _refused(_qr_of(cbor2.dumps(value)))
    _refused(_qr_of(cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps(value), {}, b"", b"\x00" * 64]))))


@FUZZ
@given(st.dictionaries(st.integers(-70_000, 10), CBOR_VALUES, max_size=6))
def test_signed_cwt_payloads_of_any_shape_never_crash_the_decoder(payload: dict[int, Any]) -> None:
    try:
        result = decode_qr(_qr_of(_cose({1: -7, 4: KID}, payload)), KEYS, now=NOW)
    except CredentialInvalidError:
        return
    assert (result.issuer, result.issued_at) == (payload[1], payload[6])
    assert result.claims == {k: v for k, v in payload[-65537].items() if k != "v"}
