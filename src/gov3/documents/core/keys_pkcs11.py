"""The PKCS#11 port of the issuer key store: keys generated and kept inside an HSM.

Needs the optional `python-pkcs11` package and the HSM vendor's PKCS#11 library (SoftHSM2 for
trying). Import this module only when `GOV3_KEY_STORE = "pkcs11"`: the base install does
without it. The private key never leaves the token (CKA_SENSITIVE, not CKA_EXTRACTABLE);
gov3 hashes with SHA-256 itself and asks the token for a plain CKM_ECDSA signature, the
mechanism every HSM that does P-256 offers. docs/keys.md describes the token set-up.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from pathlib import Path

import pkcs11
from cryptography.hazmat.primitives.asymmetric import ec
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11.exceptions import (
    DeviceRemoved,
    MultipleObjectsReturned,
    NoSuchKey,
    NoSuchToken,
    ObjectHandleInvalid,
    PinIncorrect,
    PinLocked,
    PKCS11Error,
    SessionClosed,
    SessionHandleInvalid,
    TokenNotPresent,
)
from pkcs11.types import SignMixin

from gov3.documents.core.jose import der_signature, jwk_thumbprint
from gov3.documents.core.keystore import (
    KeyStoreError,
    check_reference,
    new_reference,
)
from gov3.documents.core.signing import Signer

# DER of the named-curve OID 1.2.840.10045.3.1.7 (P-256): CKA_EC_PARAMS of every issuer key.
P256_EC_PARAMS = bytes.fromhex("06082a8648ce3d030107")
_POINT_BYTES = 65  # 0x04 ‖ x ‖ y
# CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11 v2.40 §2.3.3); a few tokens
# return the bare point, which is accepted too.
_WRAPPED_POINT_PREFIX = bytes([0x04, _POINT_BYTES])

# Errors after which a fresh session (and fresh object handles) may succeed.
_SESSION_LOST = (
    SessionClosed,
    SessionHandleInvalid,
    ObjectHandleInvalid,
    DeviceRemoved,
    TokenNotPresent,
)


class Pkcs11KeyStore:
    """Issuer keys on a PKCS#11 token; a reference is the keys' CKA_LABEL and CKA_ID.

    One logged-in session is opened at construction (so a wrong PIN or token label fails at
    start-up) and shared under a lock, as PKCS#11 sessions must not be used by two threads at
    once. Build the store after the web server forks its workers: a PKCS#11 library
    initialised in a parent process is not usable in the child.
    """

    name = "pkcs11"

    def __init__(self, library_path: Path | str, token_label: str, user_pin: str) -> None:
        self._library_path = str(library_path)
        self._token_label = token_label
        self._user_pin = user_pin
        self._lock = threading.Lock()
        self._session: pkcs11.Session | None = None
        self._private_keys: dict[str, SignMixin] = {}
        self._public_keys: dict[str, ec.EllipticCurvePublicKey] = {}
        self._signers: dict[str, _Pkcs11Signer] = {}
        try:
            library = pkcs11.lib(self._library_path)
        except PKCS11Error as error:
            raise KeyStoreError(
                f"cannot load the PKCS#11 library {self._library_path}: {error}; check "
                "GOV3_PKCS11_LIBRARY (for SoftHSM2 on Debian: /usr/lib/softhsm/libsofthsm2.so)"
            ) from error
        try:
            self._token = library.get_token(token_label=token_label)
        except NoSuchToken as error:
            raise KeyStoreError(
                f"there is no token labelled {token_label!r} in {self._library_path}; check "
                "GOV3_PKCS11_TOKEN (`softhsm2-util --show-slots` or the HSM's tool lists them)"
            ) from error
        except PKCS11Error as error:
            raise KeyStoreError(f"cannot reach the token {token_label!r}: {error!r}") from error
        with self._lock:
            self._open_session()

    def create(self, label: str) -> str:
        reference = new_reference(label)
        identifier = reference.encode("ascii")
        with self._lock:
            session = self._open_session()
            parameters = session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: P256_EC_PARAMS}, local=True
            )
            try:
                _public, private = parameters.generate_keypair(
                    id=identifier,
                    label=reference,
                    store=True,
                    capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
                    private_template={
                        Attribute.SENSITIVE: True,
                        Attribute.EXTRACTABLE: False,
                        Attribute.PRIVATE: True,
                    },
                    public_template={Attribute.PRIVATE: False},
                )
            except PKCS11Error as error:
                raise KeyStoreError(
                    f"the token {self._token_label!r} could not generate an EC P-256 key "
                    f"({error!r}); it must support CKM_EC_KEY_PAIR_GEN on P-256 and the PIN "
                    "must allow creating objects"
                ) from error
            if private[Attribute.EXTRACTABLE] or not private[Attribute.SENSITIVE]:
                private.destroy()
                raise KeyStoreError(
                    f"the token {self._token_label!r} made an extractable key; gov3 refuses "
                    "it: check the token's key policy"
                )
        return reference

    def signer(self, reference: str) -> Signer:
        check_reference(reference)
        signer = self._signers.get(reference)
        if signer is None:
            with self._lock:
                self._private_key(reference)  # fails now rather than at the first signature
            signer = _Pkcs11Signer(self, reference, self.public_key(reference))
            self._signers[reference] = signer
        return signer

    def public_key(self, reference: str) -> ec.EllipticCurvePublicKey:
        check_reference(reference)
        cached = self._public_keys.get(reference)
        if cached is not None:
            return cached
        with self._lock:
            obj = self._find(ObjectClass.PUBLIC_KEY, reference)
            try:
                params = bytes(obj[Attribute.EC_PARAMS])
                point = bytes(obj[Attribute.EC_POINT])
            except PKCS11Error as error:
                raise KeyStoreError(f"cannot read the public key {reference}: {error!r}") from error
        if params != P256_EC_PARAMS:
            raise KeyStoreError(f"key {reference} is not on P-256; issuer keys are P-256")
        key = _public_key_from_point(point, reference)
        self._public_keys[reference] = key
        return key

    def retire(self, reference: str) -> None:
        """Destroy the private key object on the token; the public key object stays.

        Retiring twice is harmless. HSM backups made before retirement still hold the key:
        see docs/keys.md.
        """
        check_reference(reference)
        with self._lock:
            self._signers.pop(reference, None)
            self._private_keys.pop(reference, None)
            try:
                private = self._find(ObjectClass.PRIVATE_KEY, reference)
            except KeyStoreError:
                self._find(ObjectClass.PUBLIC_KEY, reference)  # unknown key: raises
                return
            try:
                private.destroy()
            except PKCS11Error as error:
                raise KeyStoreError(
                    f"the token refused to destroy the private key {reference}: {error!r}"
                ) from error

    def close(self) -> None:
        """Log out and close the session; the next operation opens a new one."""
        with self._lock:
            self._drop_session()

    def sign_digest(self, reference: str, digest: bytes) -> bytes:
        """CKM_ECDSA over a SHA-256 digest; the raw r‖s result as DER. Used by the signer."""
        if not isinstance(digest, bytes) or len(digest) != hashlib.sha256().digest_size:
            raise ValueError("sign_digest takes a 32-byte SHA-256 digest")
        check_reference(reference)
        with self._lock:
            for attempt in (1, 2):
                try:
                    raw = self._private_key(reference).sign(digest, mechanism=Mechanism.ECDSA)
                    break
                except _SESSION_LOST as error:
                    self._drop_session()
                    if attempt == 2:
                        raise KeyStoreError(
                            f"lost the session with token {self._token_label!r} twice while "
                            f"signing with {reference} ({error!r}); check the HSM"
                        ) from error
                except PKCS11Error as error:
                    raise KeyStoreError(
                        f"the token refused to sign with key {reference} ({error!r}); it must "
                        "support CKM_ECDSA"
                    ) from error
        try:
            return der_signature(bytes(raw))
        except ValueError as error:
            raise KeyStoreError(
                f"the token returned a {len(raw)}-byte signature for {reference}; ECDSA "
                "P-256 signatures are 64 bytes (r‖s)"
            ) from error

    def _open_session(self) -> pkcs11.Session:
        """The shared session, opened and logged in if needed; the caller holds the lock."""
        if self._session is None:
            try:
                self._session = self._token.open(rw=True, user_pin=self._user_pin)
            except (PinIncorrect, PinLocked) as error:
                raise KeyStoreError(
                    f"the PIN does not open token {self._token_label!r} "
                    f"({type(error).__name__}); check GOV3_PKCS11_PIN"
                ) from error
            except PKCS11Error as error:
                raise KeyStoreError(
                    f"cannot open a session on token {self._token_label!r}: {error!r}"
                ) from error
        return self._session

    def _drop_session(self) -> None:
        session, self._session = self._session, None
        self._private_keys.clear()  # object handles belong to the session
        if session is not None:
            # A session that is already gone is what closing wanted.
            with contextlib.suppress(PKCS11Error):
                session.close()

    def _private_key(self, reference: str) -> SignMixin:
        key = self._private_keys.get(reference)
        if key is None:
            obj = self._find(ObjectClass.PRIVATE_KEY, reference, retired_hint=True)
            if not isinstance(obj, SignMixin):
                raise KeyStoreError(
                    f"the private key {reference} on token {self._token_label!r} may not sign "
                    "(CKA_SIGN is false); it was not made by gov3"
                )
            key = obj
            self._private_keys[reference] = key
        return key

    def _find(
        self, object_class: ObjectClass, reference: str, *, retired_hint: bool = False
    ) -> pkcs11.Key:
        session = self._open_session()
        try:
            return session.get_key(object_class=object_class, key_type=KeyType.EC, label=reference)
        except NoSuchKey:
            missing = f"there is no {object_class.name.lower().replace('_', ' ')} {reference} "
            missing += f"on token {self._token_label!r}"
            if retired_hint:
                missing += " (a retired key has no private key any more)"
            raise KeyStoreError(missing + "; check GOV3_PKCS11_TOKEN") from None
        except MultipleObjectsReturned as error:
            raise KeyStoreError(
                f"several objects on token {self._token_label!r} are labelled {reference}; "
                "remove the stray copies with the HSM's tool"
            ) from error


class _Pkcs11Signer:
    """A signer whose key stays on the token: SHA-256 here, ECDSA there."""

    def __init__(
        self, store: Pkcs11KeyStore, reference: str, public_key: ec.EllipticCurvePublicKey
    ) -> None:
        self._store = store
        self._reference = reference
        self._public = public_key
        self._kid = jwk_thumbprint(public_key)

    @property
    def kid(self) -> str:
        return self._kid

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public

    def sign(self, data: bytes) -> bytes:
        return self._store.sign_digest(self._reference, hashlib.sha256(data).digest())


def _public_key_from_point(value: bytes, reference: str) -> ec.EllipticCurvePublicKey:
    if len(value) == _POINT_BYTES + 2 and value.startswith(_WRAPPED_POINT_PREFIX):
        value = value[2:]
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), value)
    except ValueError as error:
        raise KeyStoreError(
            f"the token returned an unreadable public point for key {reference}"
        ) from error
