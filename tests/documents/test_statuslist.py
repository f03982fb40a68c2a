"""IETF Token Status List: the draft's bit order, compression and the signed status list token."""

from __future__ import annotations

import gzip
import json
import random
import zlib
from typing import Any

import pytest

from gov3.documents.core import statuslist
from gov3.documents.core.errors import CredentialInvalidError
from gov3.documents.core.jose import b64url, b64url_decode
from gov3.documents.core.sdjwt import StatusReference, issue, verify
from gov3.documents.core.signing import PrivateKeySigner
from gov3.documents.core.statuslist import (
    INVALID,
    SUSPENDED,
    VALID,
    StatusList,
    read_token,
)

SIGNER = PrivateKeySigner.generate()
OTHER = PrivateKeySigner.generate()
KEYS = {SIGNER.kid: SIGNER.public_key}
URI = "https://gov3.example.kr/status/1"
NOW = 1_764_200_000

# draft-ietf-oauth-status-list, "Status List" section: the one-bit and two-bit examples
ONE_BIT = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
ONE_BIT_LST = "eNrbuRgAAhcBXQ"
TWO_BIT = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]
TWO_BIT_LST = "eNo76fITAAPfAgc"


def _filled(statuses: list[int], bits: int) -> StatusList:
    status_list = StatusList(len(statuses), bits)
    for idx, status in enumerate(statuses):
        status_list.set(idx, status)
    return status_list


def test_entry_zero_is_the_least_significant_bit_of_byte_zero() -> None:
    assert _filled(ONE_BIT, 1).to_bytes() == b"\xb9\xa3"
    assert _filled(TWO_BIT, 2).to_bytes() == b"\xc9\x44\xf9"


def test_the_drafts_encoded_examples_decode_to_the_same_statuses() -> None:
    one = StatusList.decode({"bits": 1, "lst": ONE_BIT_LST})
    two = StatusList.decode({"bits": 2, "lst": TWO_BIT_LST})

    assert [one.get(i) for i in range(16)] == ONE_BIT
    assert [two.get(i) for i in range(12)] == TWO_BIT


def test_encode_is_zlib_at_best_compression() -> None:
    encoded = _filled(ONE_BIT, 1).encode()

    assert encoded["bits"] == 1
    compressed = b64url_decode(encoded["lst"])
    assert compressed[:2] == b"\x78\xda"  # RFC 1950 header: deflate, 32 KiB window, level 9
    assert zlib.decompress(compressed) == b"\xb9\xa3"


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_round_trip_keeps_every_status(bits: int) -> None:
    rng = random.Random(bits)
    statuses = [rng.randrange(1 << bits) for _ in range(1000)]

    decoded = StatusList.decode(_filled(statuses, bits).encode())

    assert [decoded.get(i) for i in range(1000)] == statuses
    assert decoded.bits == bits


def test_a_list_kept_as_raw_bytes_reads_back() -> None:
    stored = _filled(TWO_BIT, 2).to_bytes()

    restored = StatusList.from_bytes(stored, bits=2)

    assert [restored.get(i) for i in range(12)] == TWO_BIT
    assert restored.size == 12
    with pytest.raises(ValueError, match="bits"):
        StatusList.from_bytes(stored, bits=3)


def test_setting_one_entry_leaves_its_neighbours_alone() -> None:
    status_list = _filled([SUSPENDED] * 8, 2)

    status_list.set(3, VALID)
    status_list.set(4, INVALID)

    assert [status_list.get(i) for i in range(8)] == [2, 2, 2, 0, 1, 2, 2, 2]


def test_the_default_size_gives_herd_privacy() -> None:
    status_list = StatusList()

    assert status_list.size == statuslist.DEFAULT_SIZE == 131_072
    assert len(status_list.to_bytes()) == 16_384
    assert len(status_list.encode()["lst"]) < 100  # mostly VALID compresses to almost nothing


def test_out_of_range_entries_and_statuses_are_refused() -> None:
    status_list = StatusList(16)

    with pytest.raises(IndexError, match="0…15"):
        status_list.set(16, INVALID)
    with pytest.raises(IndexError):
        status_list.get(-1)
    with pytest.raises(ValueError, match="1-bit status"):
        status_list.set(0, SUSPENDED)
    with pytest.raises(ValueError, match="bits"):
        StatusList(16, bits=3)
    with pytest.raises(ValueError, match="at least one"):
        StatusList(0)


@pytest.mark.parametrize(
    "claim",
    [
        None,
        [],
        {"bits": 3, "lst": ONE_BIT_LST},
        {"bits": True, "lst": ONE_BIT_LST},
        {"bits": 1.0, "lst": ONE_BIT_LST},
        {"bits": 1},
        {"bits": 1, "lst": "not base64!"},
        {"bits": 1, "lst": b64url(b"\xb9\xa3")},  # not compressed
        {"bits": 1, "lst": b64url(gzip.compress(b"\xb9\xa3"))},  # W3C's GZIP, not ZLIB
        {"bits": 1, "lst": b64url(zlib.compress(b"\xb9\xa3") + b"junk")},
        {"bits": 1, "lst": b64url(zlib.compress(b"\xb9\xa3")[:-3])},
        {"bits": 1, "lst": b64url(zlib.compress(b""))},
    ],
)
def test_decode_refuses_what_is_not_a_status_list(claim: Any) -> None:
    with pytest.raises(CredentialInvalidError) as caught:
        StatusList.decode(claim)
    assert caught.value.reason == "bad_status_list"


def test_decode_refuses_a_zip_bomb() -> None:
    bomb = zlib.compress(bytes(statuslist.MAX_DECODED_BYTES + 1), 9)

    with pytest.raises(CredentialInvalidError, match="larger than"):
        StatusList.decode({"bits": 1, "lst": b64url(bomb)})


def _token(status_list: StatusList, **changes: Any) -> str:
    arguments: dict[str, Any] = {
        "subject_uri": URI,
        "issued_at": NOW,
        "expires_at": NOW + 86_400,
        "ttl": 3600,
    }
    return status_list.token(SIGNER, **(arguments | changes))


def _parts(token: str) -> list[Any]:
    return [json.loads(b64url_decode(part)) for part in token.split(".")[:2]]


def test_the_token_is_a_statuslist_jwt() -> None:
    header, payload = _parts(_token(_filled(ONE_BIT, 1)))

    assert header == {"alg": "ES256", "typ": "statuslist+jwt", "kid": SIGNER.kid}
    assert payload == {
        "sub": URI,
        "iat": NOW,
        "exp": NOW + 86_400,
        "ttl": 3600,
        "status_list": _filled(ONE_BIT, 1).encode(),
    }


def test_a_verified_token_gives_back_the_list() -> None:
    status_list = read_token(_token(_filled(ONE_BIT, 1)), KEYS, now=NOW, expected_uri=URI)

    assert [status_list.get(i) for i in range(16)] == ONE_BIT


def _refusal(token: Any, *, keys: Any = None, now: int = NOW, uri: str = URI) -> str:
    with pytest.raises(CredentialInvalidError) as caught:
        read_token(token, KEYS if keys is None else keys, now=now, expected_uri=uri)
    assert caught.value.reason == "bad_status_list"
    return caught.value.message


def test_any_changed_character_of_the_token_is_refused() -> None:
    token = _token(_filled(ONE_BIT, 1))

    for position, original in enumerate(token):
        replacement = "B" if original != "B" else "C"
        _refusal(token[:position] + replacement + token[position + 1 :])


def test_a_token_by_another_key_or_for_another_list_or_expired_is_refused() -> None:
    token = _token(_filled(ONE_BIT, 1))

    assert "trusted issuer key" in _refusal(token, keys={OTHER.kid: OTHER.public_key})
    assert "does not match" in _refusal(token, keys={SIGNER.kid: OTHER.public_key})
    assert "not 'https://gov3.example.kr/status/2'" in _refusal(token, uri=URI[:-1] + "2")
    assert "expired" in _refusal(token, now=NOW + 86_400 + 60)
    assert "future" in _refusal(_token(StatusList(8), issued_at=NOW + 61))
    assert "text" in _refusal(b"token")


def test_a_credential_is_not_a_status_list_token() -> None:
    credential = issue(
        SIGNER, issuer=URI, vct="x", claims={}, issued_at=NOW, expires_at=None, status=None
    )

    assert "typ" in _refusal(credential.jwt)


def test_a_revoked_credential_is_found_in_its_list() -> None:
    reference = StatusReference(idx=77_777, uri=URI)
    credential = issue(
        SIGNER,
        issuer="https://gov3.example.kr",
        vct="https://gov3.example.kr/credentials/passport",
        claims={"document_number": "M123A4567"},
        issued_at=NOW,
        expires_at=None,
        status=reference,
    )
    revocations = StatusList()
    revocations.set(reference.idx, INVALID)
    published = _token(revocations)

    status = verify(credential.serialized, KEYS, now=NOW).status
    assert status is not None
    status_list = read_token(published, KEYS, now=NOW, expected_uri=status.uri)

    assert status_list.get(status.idx) == INVALID
    assert status_list.get(status.idx - 1) == VALID


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject_uri": ""}, "URI"),
        ({"expires_at": NOW}, "after issued_at"),
        ({"ttl": 0}, "ttl"),
    ],
)
def test_token_refuses_inconsistent_arguments(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _token(StatusList(8), **changes)
