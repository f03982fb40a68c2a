"""The PKCS#11 key store against a real (software) token: SoftHSM2 in a throwaway directory.

Needs the Debian package `softhsm2` and the PyPI package `python-pkcs11`. Without them the
tests are skipped on a developer's machine and fail under CI, where they must run.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from gov3.documents.core.jose import jwk_thumbprint
from gov3.documents.core.keys import self_signed_certificate
from gov3.documents.core.keystore import KeyStore, KeyStoreError
from tests.conftest import tools_required

try:
    import pkcs11
    from pkcs11 import Attribute, ObjectClass
    from pkcs11.exceptions import AttributeSensitive

    from gov3.documents.core.keys_pkcs11 import Pkcs11KeyStore
except ImportError:  # checked by the `token` fixture, which says what to install
    pkcs11 = None

LIBRARY_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)
LIBRARY = next((path for path in LIBRARY_CANDIDATES if Path(path).exists()), "")
TOKEN = "gov3-test"
PIN = "2718281828"
SO_PIN = "3141592653"
MESSAGE = b"birth certificate 2026-000123"


def _missing() -> list[str]:
    missing = []
    if shutil.which("softhsm2-util") is None or not LIBRARY:
        missing.append("SoftHSM2 (apt-get install -y softhsm2)")
    if pkcs11 is None:
        missing.append("python-pkcs11 (pip install 'python-pkcs11>=0.10,<0.11')")
    return missing


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh SoftHSM2 token in a temporary directory; yields the library path."""
    missing = _missing()
    if missing:
        reason = "the PKCS#11 tests need " + " and ".join(missing)
        if tools_required():
            pytest.fail(reason)
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    config = root / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(config))
        subprocess.run(
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                *("--label", TOKEN, "--so-pin", SO_PIN, "--pin", PIN),
            ],
            check=True,
            capture_output=True,
        )
        pkcs11.unload(LIBRARY)  # a library loaded earlier read another configuration
        yield LIBRARY
        pkcs11.unload(LIBRARY)


@pytest.fixture
def store(token: str) -> Iterator[Pkcs11KeyStore]:
    hsm = Pkcs11KeyStore(token, TOKEN, PIN)
    yield hsm
    hsm.close()


def _verifies(public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def test_a_key_made_on_the_token_signs_and_verifies(store: Pkcs11KeyStore) -> None:
    as_protocol: KeyStore = store
    assert as_protocol.name == "pkcs11"
    reference = store.create("gov3-birth-20261127")
    assert reference.startswith("gov3-birth-20261127-")
    signature = store.signer(reference).sign(MESSAGE)
    assert _verifies(store.public_key(reference), signature, MESSAGE)
    assert not _verifies(store.public_key(reference), signature, MESSAGE + b"!")


def test_the_kid_is_the_thumbprint_of_the_tokens_public_key(store: Pkcs11KeyStore) -> None:
    reference = store.create("passport")
    signer = store.signer(reference)
    assert signer.kid == jwk_thumbprint(store.public_key(reference))
    assert store.signer(store.create("passport")).kid != signer.kid


def test_keys_persist_on_the_token_across_store_instances(
    store: Pkcs11KeyStore, token: str
) -> None:
    reference = store.create("passport")
    kid = store.signer(reference).kid
    store.close()
    reopened = Pkcs11KeyStore(token, TOKEN, PIN)
    try:
        signature = reopened.signer(reference).sign(MESSAGE)
        assert reopened.signer(reference).kid == kid
    finally:
        reopened.close()
    assert _verifies(store.public_key(reference), signature, MESSAGE)


def test_a_closed_session_is_reopened_for_the_next_signature(store: Pkcs11KeyStore) -> None:
    reference = store.create("passport")
    signer = store.signer(reference)
    store.close()
    assert _verifies(signer.public_key, signer.sign(MESSAGE), MESSAGE)


def test_the_certificate_is_signed_on_the_token_and_verifies(store: Pkcs11KeyStore) -> None:
    reference = store.create("passport")
    der = self_signed_certificate(
        store.signer(reference),
        common_name="gov3 passport issuer",
        organisation="Republic of Korea",
        country="KR",
        not_before=datetime(2026, 11, 27, tzinfo=UTC),
        not_after=datetime(2038, 11, 27, tzinfo=UTC),
    )
    certificate = x509.load_der_x509_certificate(der)
    public_key = certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert public_key.public_numbers() == store.public_key(reference).public_numbers()
    public_key.verify(
        certificate.signature, certificate.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256())
    )
    assert certificate.subject.rfc4514_string() == (
        "CN=gov3 passport issuer,O=Republic of Korea,C=KR"
    )


def test_the_private_key_cannot_leave_the_token(store: Pkcs11KeyStore, token: str) -> None:
    reference = store.create("passport")
    # The store's session has logged the application in; a second session sees private objects.
    with pkcs11.lib(token).get_token(token_label=TOKEN).open() as session:
        private = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=reference)
        assert private[Attribute.SENSITIVE] is True
        assert private[Attribute.EXTRACTABLE] is False
        assert private[Attribute.NEVER_EXTRACTABLE] is True
        assert private[Attribute.ALWAYS_SENSITIVE] is True
        assert private[Attribute.TOKEN] is True
        with pytest.raises(AttributeSensitive):
            private[Attribute.VALUE]  # reading the private scalar is what must fail
        assert private[Attribute.ID] == reference.encode("ascii")


def test_a_retired_key_signs_nothing_but_its_public_key_stays(
    store: Pkcs11KeyStore, token: str
) -> None:
    reference = store.create("passport")
    published = store.public_key(reference).public_numbers()
    store.retire(reference)
    with pytest.raises(KeyStoreError, match="no private key"):
        store.signer(reference)
    store.close()
    reopened = Pkcs11KeyStore(token, TOKEN, PIN)
    try:
        assert reopened.public_key(reference).public_numbers() == published
        with pytest.raises(KeyStoreError, match="no private key"):
            reopened.signer(reference)
        reopened.retire(reference)  # retiring twice is harmless
    finally:
        reopened.close()


def test_an_unknown_key_is_reported(store: Pkcs11KeyStore) -> None:
    with pytest.raises(KeyStoreError, match="there is no public key passport-00ff on token"):
        store.public_key("passport-00ff")
    with pytest.raises(KeyStoreError, match="is not a key reference"):
        store.signer("../passport")


def test_a_wrong_pin_is_refused(token: str) -> None:
    with pytest.raises(KeyStoreError, match="the PIN does not open token 'gov3-test'"):
        Pkcs11KeyStore(token, TOKEN, "0000000000")


def test_an_unknown_token_is_refused(token: str) -> None:
    with pytest.raises(KeyStoreError, match="no token labelled 'elsewhere'"):
        Pkcs11KeyStore(token, "elsewhere", PIN)


def test_a_missing_library_is_refused(token: str, tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="cannot load the PKCS#11 library"):
        Pkcs11KeyStore(tmp_path / "libnothing.so", TOKEN, PIN)
