"""The file key store: keys encrypted at rest, persistent, refused without the passphrase, and
self-signed certificates that verifiers can check."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID

from gov3.documents.core import keys, keystore
from gov3.documents.core.jose import jwk_thumbprint
from gov3.documents.core.keys import FileKeyStore, self_signed_certificate
from gov3.documents.core.keystore import KeyStore, KeyStoreError
from tests.conftest import require_tool

PASSPHRASE = b"a long random passphrase for tests"
MESSAGE = b"passport M12345678 issued 2026-11-27"
START = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)
END = datetime(2038, 11, 27, 9, 30, 15, tzinfo=UTC)


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def store(key_dir: Path) -> FileKeyStore:
    return FileKeyStore(key_dir, PASSPHRASE)


def _verifies(public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _certificate(store: KeyStore, reference: str, **changes: object) -> bytes:
    fields: dict[str, object] = {
        "common_name": "gov3 passport issuer",
        "organisation": "Republic of Korea",
        "country": "KR",
        "not_before": START,
        "not_after": END,
    }
    fields.update(changes)
    return self_signed_certificate(store.signer(reference), **fields)  # type: ignore[arg-type]


def test_the_file_store_satisfies_the_protocol(store: FileKeyStore) -> None:
    as_protocol: KeyStore = store
    assert as_protocol.name == "file"


def test_a_new_key_signs_and_its_public_key_verifies(store: FileKeyStore) -> None:
    reference = store.create("passport")
    signature = store.signer(reference).sign(MESSAGE)
    assert _verifies(store.public_key(reference), signature, MESSAGE)
    assert not _verifies(store.public_key(reference), signature, MESSAGE + b".")


def test_the_kid_is_the_rfc7638_thumbprint(store: FileKeyStore) -> None:
    reference = store.create("passport")
    signer = store.signer(reference)
    assert signer.kid == jwk_thumbprint(store.public_key(reference))
    assert signer.public_key.public_numbers() == store.public_key(reference).public_numbers()


def test_references_are_opaque_unique_and_name_the_label(store: FileKeyStore) -> None:
    first = store.create("gov3-Birth certificate 2026")
    second = store.create("gov3-Birth certificate 2026")
    assert first != second
    assert first.startswith("gov3-birth-certificate-2026-")
    assert len(first) <= keystore.REFERENCE_MAX_LENGTH
    assert keystore.check_reference(first) == first
    assert store.create("여권").startswith("key-")  # a label with no ASCII still gets a name
    assert len(store.create("x" * 500)) <= keystore.REFERENCE_MAX_LENGTH


def test_each_key_is_its_own(store: FileKeyStore) -> None:
    passport, birth = store.create("passport"), store.create("birth")
    assert store.signer(passport).kid != store.signer(birth).kid
    signature = store.signer(passport).sign(MESSAGE)
    assert not _verifies(store.public_key(birth), signature, MESSAGE)


def test_a_second_store_on_the_same_directory_signs_with_the_same_key(
    store: FileKeyStore, key_dir: Path
) -> None:
    reference = store.create("passport")
    restarted = FileKeyStore(key_dir, PASSPHRASE)
    signer = restarted.signer(reference)
    assert signer.kid == store.signer(reference).kid
    assert _verifies(store.public_key(reference), signer.sign(MESSAGE), MESSAGE)


def test_the_signer_is_decrypted_once_and_reused(store: FileKeyStore, key_dir: Path) -> None:
    reference = store.create("passport")
    restarted = FileKeyStore(key_dir, PASSPHRASE)
    assert restarted.signer(reference) is restarted.signer(reference)


def test_a_wrong_passphrase_is_refused(store: FileKeyStore, key_dir: Path) -> None:
    reference = store.create("passport")
    intruder = FileKeyStore(key_dir, b"not the passphrase at all, sorry")
    with pytest.raises(KeyStoreError, match="the key passphrase does not open"):
        intruder.signer(reference)
    with pytest.raises(KeyStoreError, match="passphrase does not open"):
        _certificate(intruder, reference)
    # The public half is not secret: it stays readable without the passphrase.
    assert intruder.public_key(reference).public_numbers() == (
        store.public_key(reference).public_numbers()
    )


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [(b"short", "shorter than 16 bytes"), ("text, not bytes, long enough", "must be bytes")],
)
def test_a_weak_or_mistyped_passphrase_is_refused(
    key_dir: Path, passphrase: bytes, message: str
) -> None:
    with pytest.raises(KeyStoreError, match=message):
        FileKeyStore(key_dir, passphrase)


def test_the_key_file_holds_no_private_key_in_clear(store: FileKeyStore, key_dir: Path) -> None:
    reference = store.create("passport")
    path = key_dir / f"{reference}.key.pem"
    data = path.read_bytes()
    private_key = serialization.load_pem_private_key(data, password=PASSPHRASE)
    assert isinstance(private_key, ec.EllipticCurvePrivateKey)
    scalar = private_key.private_numbers().private_value.to_bytes(32, "big")
    clear_pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    kind, _headers, der = pem.unarmor(data)
    assert kind == "ENCRYPTED PRIVATE KEY"
    assert scalar not in der
    assert scalar not in data
    assert clear_pkcs8 not in der
    assert b"BEGIN PRIVATE KEY" not in data
    assert b"BEGIN EC PRIVATE KEY" not in data
    with pytest.raises(TypeError, match="not given"):  # cryptography: the passphrase is required
        serialization.load_pem_private_key(data, password=None)
    public = (key_dir / f"{reference}.pub.pem").read_bytes()
    assert b"PRIVATE" not in public
    assert scalar not in public


def test_the_key_is_encrypted_with_pbes2_scrypt_and_aes256(
    store: FileKeyStore, key_dir: Path
) -> None:
    reference = store.create("passport")
    _kind, _headers, der = pem.unarmor((key_dir / f"{reference}.key.pem").read_bytes())
    algorithm = asn1_keys.EncryptedPrivateKeyInfo.load(der)["encryption_algorithm"]
    assert algorithm["algorithm"].dotted == "1.2.840.113549.1.5.13"  # PBES2
    pbes2 = algorithm["parameters"]
    assert pbes2["key_derivation_func"]["algorithm"].dotted == "1.3.6.1.4.1.11591.4.11"  # scrypt
    assert pbes2["encryption_scheme"]["algorithm"].native == "aes256_cbc"


def test_openssl_opens_a_key_file_with_the_passphrase(store: FileKeyStore, key_dir: Path) -> None:
    """Operators can check a backup with the stock `openssl` command (docs/keys.md)."""
    openssl = require_tool("openssl", "apt-get install -y openssl")
    reference = store.create("passport")
    path = key_dir / f"{reference}.key.pem"
    command = [openssl, "pkey", "-in", str(path), "-pubout", "-passin", "env:GOV3_TEST_PASS"]
    opened = subprocess.run(
        command,
        env={**os.environ, "GOV3_TEST_PASS": PASSPHRASE.decode()},
        capture_output=True,
        check=False,
    )
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout == (key_dir / f"{reference}.pub.pem").read_bytes()
    refused = subprocess.run(
        command,
        env={**os.environ, "GOV3_TEST_PASS": "wrong passphrase, wrong!"},
        capture_output=True,
        check=False,
    )
    assert refused.returncode != 0


def test_files_are_private_to_the_owner(key_dir: Path) -> None:
    previous = os.umask(0o022)
    try:
        store = FileKeyStore(key_dir, PASSPHRASE)
        reference = store.create("passport")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((key_dir / f"{reference}.key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((key_dir / f"{reference}.pub.pem").stat().st_mode) == 0o600
    assert sorted(path.name for path in key_dir.iterdir()) == [
        f"{reference}.key.pem",
        f"{reference}.pub.pem",
    ]  # no temporary file left behind


def test_a_key_directory_open_to_others_is_refused(key_dir: Path) -> None:
    key_dir.mkdir(mode=0o755)
    key_dir.chmod(0o755)
    with pytest.raises(KeyStoreError, match="chmod 700"):
        FileKeyStore(key_dir, PASSPHRASE)


def test_an_existing_key_file_is_never_overwritten(
    store: FileKeyStore, key_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys.secrets, "token_hex", lambda _size: "0" * 32)
    reference = store.create("passport")
    before = (key_dir / f"{reference}.key.pem").read_bytes()
    with pytest.raises(KeyStoreError, match="never overwritten"):
        store.create("passport")
    assert (key_dir / f"{reference}.key.pem").read_bytes() == before
    assert FileKeyStore(key_dir, PASSPHRASE).signer(reference).kid == store.signer(reference).kid


def test_a_missing_key_is_reported(store: FileKeyStore) -> None:
    with pytest.raises(KeyStoreError, match="there is no key passport-00ff"):
        store.signer("passport-00ff")
    with pytest.raises(KeyStoreError, match="there is no key"):
        store.public_key("passport-00ff")
    with pytest.raises(KeyStoreError, match="there is no key"):
        store.retire("passport-00ff")


@pytest.mark.parametrize("reference", ["", "../../etc/passwd", "Passport-1", "a/b", "x" * 201, 7])
def test_a_malformed_reference_is_refused(store: FileKeyStore, reference: object) -> None:
    with pytest.raises(KeyStoreError, match="is not a key reference"):
        store.signer(reference)  # type: ignore[arg-type]
    with pytest.raises(KeyStoreError, match="is not a key reference"):
        store.public_key(reference)  # type: ignore[arg-type]


def test_a_damaged_key_file_is_named(store: FileKeyStore, key_dir: Path) -> None:
    reference = store.create("passport")
    (key_dir / f"{reference}.key.pem").write_bytes(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    with pytest.raises(KeyStoreError, match="damaged"):
        FileKeyStore(key_dir, PASSPHRASE).signer(reference)


def test_a_key_file_in_clear_is_refused(store: FileKeyStore, key_dir: Path) -> None:
    reference = store.create("passport")
    clear = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (key_dir / f"{reference}.key.pem").write_bytes(clear)
    with pytest.raises(KeyStoreError, match="not an encrypted PKCS#8 private key"):
        FileKeyStore(key_dir, PASSPHRASE).signer(reference)


def test_swapped_key_files_are_detected(store: FileKeyStore, key_dir: Path) -> None:
    passport, birth = store.create("passport"), store.create("birth")
    shutil.copyfile(key_dir / f"{birth}.pub.pem", key_dir / f"{passport}.pub.pem")
    with pytest.raises(KeyStoreError, match="hold different keys"):
        FileKeyStore(key_dir, PASSPHRASE).signer(passport)


def test_the_certificate_names_the_issuer_and_verifies(store: FileKeyStore) -> None:
    reference = store.create("passport")
    certificate = x509.load_der_x509_certificate(_certificate(store, reference))
    public_key = certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert public_key.public_numbers() == store.public_key(reference).public_numbers()
    public_key.verify(
        certificate.signature, certificate.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256())
    )
    assert certificate.signature_hash_algorithm is not None
    assert certificate.signature_hash_algorithm.name == "sha256"
    assert certificate.version == x509.Version.v3
    assert certificate.issuer == certificate.subject
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "gov3 passport issuer"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == (
        "Republic of Korea"
    )
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "KR"
    assert certificate.not_valid_before_utc == START.replace(microsecond=0)
    assert certificate.not_valid_after_utc == END
    assert 0 < certificate.serial_number < 2**159


def test_the_certificate_is_an_end_entity_signing_certificate(store: FileKeyStore) -> None:
    reference = store.create("passport")
    certificate = x509.load_der_x509_certificate(_certificate(store, reference))
    extensions = certificate.extensions
    assert len(extensions) == 3
    basic = extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
    assert basic.critical
    assert basic.value == x509.BasicConstraints(ca=False, path_length=None)
    usage = extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
    assert usage.critical
    assert usage.value.digital_signature
    assert usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert not usage.value.key_encipherment
    identifier = extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert identifier == x509.SubjectKeyIdentifier.from_public_key(store.public_key(reference))


def test_each_certificate_has_its_own_serial_number(store: FileKeyStore) -> None:
    reference = store.create("passport")
    first = x509.load_der_x509_certificate(_certificate(store, reference))
    second = x509.load_der_x509_certificate(_certificate(store, reference))
    assert first.serial_number != second.serial_number


def test_a_certificate_past_2049_uses_generalized_time(store: FileKeyStore) -> None:
    reference = store.create("passport")
    end = datetime(2061, 1, 1, tzinfo=UTC)
    der = _certificate(store, reference, not_after=end)
    assert x509.load_der_x509_certificate(der).not_valid_after_utc == end
    assert b"\x18\x0f20610101000000Z" in der  # GeneralizedTime (RFC 5280 §4.1.2.5.2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"country": "Korea"}, "two-letter ISO 3166 code"),
        ({"country": "kr"}, "two-letter ISO 3166 code"),
        ({"common_name": " "}, "common name must be non-empty"),
        ({"organisation": "x" * 65}, "longer than 64"),
        ({"not_before": datetime(2026, 1, 1)}, "timezone-aware"),  # noqa: DTZ001
        ({"not_after": START - timedelta(days=1)}, "must start before it ends"),
    ],
)
def test_bad_certificate_fields_are_refused(
    store: FileKeyStore, changes: dict[str, object], message: str
) -> None:
    reference = store.create("passport")
    with pytest.raises(ValueError, match=message):
        _certificate(store, reference, **changes)


def test_a_retired_key_signs_nothing_but_its_public_key_stays(
    store: FileKeyStore, key_dir: Path
) -> None:
    reference = store.create("passport")
    published = store.public_key(reference).public_numbers()
    store.retire(reference)
    assert not (key_dir / f"{reference}.key.pem").exists()
    with pytest.raises(KeyStoreError, match="is retired"):
        store.signer(reference)
    with pytest.raises(KeyStoreError, match="is retired"):
        _certificate(store, reference)
    assert store.public_key(reference).public_numbers() == published
    assert FileKeyStore(key_dir, PASSPHRASE).public_key(reference).public_numbers() == published
    store.retire(reference)  # retiring twice is harmless


def test_the_pkcs11_port_is_not_imported_with_the_file_store() -> None:
    """The base install has no python-pkcs11: importing the key stores must not need it."""
    code = (
        "import sys, gov3.documents.core.keys; "
        "assert 'pkcs11' not in sys.modules, 'pkcs11 imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
