"""Issuer key stores: where the private keys that sign gov3's documents live.

Every document type has its own EC P-256 issuer key, replaced by rotation; a retired key signs
nothing new but its public key stays published so that the documents it signed still verify.
A key store makes keys, hands out `Signer`s over them and builds the self-signed X.509
certificate that PAdES signatures embed; the database only ever holds an opaque reference.

Two stores implement the protocol (`gov3.documents.core.keystore`): `FileKeyStore` (below:
encrypted PKCS#8 files) and `Pkcs11KeyStore` (`gov3.documents.core.keys_pkcs11`: keys inside a
hardware security module). Nothing here imports the PKCS#11 store: it needs the optional
`python-pkcs11` package, and only `gov3.documents.issuers` loads it, when a deployment sets
`GOV3_KEY_STORE=pkcs11`.
docs/keys.md explains operation, rotation, backup and compromise.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from asn1crypto import core, keys, pem, x509  # type: ignore[import-untyped]
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from gov3.documents.core.keystore import KeyStoreError, check_reference, new_reference
from gov3.documents.core.signing import PrivateKeySigner, Signer

__all__ = [
    "PASSPHRASE_MIN_BYTES",
    "FileKeyStore",
    "decrypt_private_key",
    "encrypt_private_key",
    "self_signed_certificate",
]

PASSPHRASE_MIN_BYTES = 16

# RFC 7914 §7 scrypt parameters for PBES2 (RFC 8018 §6.2): N = 2**14, r = 8, p = 1 costs 16 MiB
# and ~0.05 s per guess. They are OpenSSL's own defaults and the largest its command line opens
# without extra options (its scrypt memory limit is 32 MiB), so an operator can check a backup
# with `openssl pkey`; the passphrase itself must be long and random (PASSPHRASE_MIN_BYTES).
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SALT_BYTES = 16
_AES_KEY_BYTES = 32
_AES_BLOCK_BYTES = 16
_OID_PBES2 = "1.2.840.113549.1.5.13"  # RFC 8018 Appendix A.4
_OID_SCRYPT = "1.3.6.1.4.1.11591.4.11"  # RFC 7914 §7
_OID_AES256_CBC = "2.16.840.1.101.3.4.1.42"  # NIST CSOR
_PEM_ENCRYPTED = "ENCRYPTED PRIVATE KEY"
_MAX_KEY_FILE_BYTES = 64 * 1024

# RFC 5280 §4.1.2.5: UTCTime up to 2049, GeneralizedTime from 2050 on.
_UTC_TIME_LAST_YEAR = 2049
_NAME_MAX = 64  # RFC 5280 Appendix A: ub-common-name, ub-organization-name


def self_signed_certificate(
    signer: Signer,
    *,
    common_name: str,
    organisation: str,
    country: str,
    not_before: datetime,
    not_after: datetime,
) -> bytes:
    """An X.509 v3 certificate (DER) of the signer's key, signed through the signer (RFC 5280).

    The TBSCertificate is built here and only its bytes go to `signer.sign`, so a key that
    never leaves a hardware module certifies itself the same way a key in a file does.
    Subject and issuer are the same name; the extensions make it an end-entity signing
    certificate: basicConstraints CA=false, keyUsage digitalSignature + nonRepudiation
    (contentCommitment) and a subjectKeyIdentifier (SHA-1 of the public key, §4.2.1.2).
    """
    name = x509.Name.build(
        {
            "country_name": _country(country),
            "organization_name": _name_part("organisation", organisation),
            "common_name": _name_part("common name", common_name),
        }
    )
    start, end = _utc(not_before, "not_before"), _utc(not_after, "not_after")
    if start >= end:
        raise ValueError(f"a certificate must start before it ends: {start} is not before {end}")
    spki_der = signer.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    spki = keys.PublicKeyInfo.load(spki_der)
    key_identifier = hashlib.sha1(bytes(spki["public_key"]), usedforsecurity=False).digest()
    algorithm = {"algorithm": "sha256_ecdsa"}
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            # RFC 5280 §4.1.2.2: positive, at most 20 octets; random so no counter is needed.
            "serial_number": secrets.randbits(159) | 1,
            "signature": algorithm,
            "issuer": name,
            "validity": {"not_before": _asn1_time(start), "not_after": _asn1_time(end)},
            "subject": name,
            "subject_public_key_info": spki,
            "extensions": [
                {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": False}},
                {
                    "extn_id": "key_usage",
                    "critical": True,
                    "extn_value": {"digital_signature", "non_repudiation"},
                },
                {"extn_id": "key_identifier", "critical": False, "extn_value": key_identifier},
            ],
        }
    )
    signature = signer.sign(tbs.dump())
    certificate = x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": algorithm, "signature_value": signature}
    )
    return bytes(certificate.dump())


def _name_part(what: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"the certificate {what} must be non-empty text")
    if len(value) > _NAME_MAX:
        raise ValueError(f"the certificate {what} is longer than {_NAME_MAX} characters: {value!r}")
    return value


def _country(value: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(
            f"the certificate country must be a two-letter ISO 3166 code such as 'KR': {value!r}"
        )
    return value


def _utc(moment: datetime, what: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    # Certificate times have whole seconds (RFC 5280 §4.1.2.5.1/.2).
    return moment.astimezone(UTC).replace(microsecond=0)


def _asn1_time(moment: datetime) -> x509.Time:
    if moment.year <= _UTC_TIME_LAST_YEAR:
        return x509.Time(name="utc_time", value=moment)
    return x509.Time(name="general_time", value=moment)


class _AlgorithmIdentifier(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar = [
        ("algorithm", core.ObjectIdentifier),
        ("parameters", core.Any, {"optional": True}),
    ]


class _ScryptParams(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar = [
        ("salt", core.OctetString),
        ("cost_parameter", core.Integer),
        ("block_size", core.Integer),
        ("parallelization_parameter", core.Integer),
        ("key_length", core.Integer, {"optional": True}),
    ]


class _Pbes2Params(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar = [
        ("key_derivation_func", _AlgorithmIdentifier),
        ("encryption_scheme", _AlgorithmIdentifier),
    ]


class _EncryptedPrivateKeyInfo(core.Sequence):  # type: ignore[misc]
    _fields: ClassVar = [
        ("encryption_algorithm", _AlgorithmIdentifier),
        ("encrypted_data", core.OctetString),
    ]


def encrypt_private_key(private_key: ec.EllipticCurvePrivateKey, passphrase: bytes) -> bytes:
    """The key as an encrypted PKCS#8 PEM: PBES2 with scrypt and AES-256-CBC.

    cryptography's `BestAvailableEncryption` uses PBKDF2 with 2,048 iterations for PKCS#8, too
    cheap to slow a guesser, so the PBES2 structure is written here with scrypt (RFC 7914 §7)
    as the key derivation. OpenSSL and cryptography both read the result
    (`openssl pkey -in FILE`).
    """
    plain = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    salt = secrets.token_bytes(_SALT_BYTES)
    iv = secrets.token_bytes(_AES_BLOCK_BYTES)
    key = Scrypt(salt=salt, length=_AES_KEY_BYTES, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
        passphrase
    )
    padder = padding.PKCS7(8 * _AES_BLOCK_BYTES).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
    scrypt_params = _ScryptParams(
        {
            "salt": salt,
            "cost_parameter": SCRYPT_N,
            "block_size": SCRYPT_R,
            "parallelization_parameter": SCRYPT_P,
            "key_length": _AES_KEY_BYTES,
        }
    )
    pbes2 = _Pbes2Params(
        {
            "key_derivation_func": {
                "algorithm": _OID_SCRYPT,
                "parameters": core.Any.load(scrypt_params.dump()),
            },
            "encryption_scheme": {
                "algorithm": _OID_AES256_CBC,
                "parameters": core.Any.load(core.OctetString(iv).dump()),
            },
        }
    )
    info = _EncryptedPrivateKeyInfo(
        {
            "encryption_algorithm": {
                "algorithm": _OID_PBES2,
                "parameters": core.Any.load(pbes2.dump()),
            },
            "encrypted_data": ciphertext,
        }
    )
    return bytes(pem.armor(_PEM_ENCRYPTED, info.dump()))


def decrypt_private_key(
    data: bytes, passphrase: bytes, *, source: str
) -> ec.EllipticCurvePrivateKey:
    """The P-256 key in an encrypted PKCS#8 PEM; KeyStoreError naming `source` otherwise.

    A damaged file and a wrong passphrase get different messages: the structure is checked
    before the passphrase is tried.
    """
    try:
        kind, _headers, der = pem.unarmor(data)
        if kind != _PEM_ENCRYPTED:
            raise ValueError(kind)
        _EncryptedPrivateKeyInfo.load(der).native  # noqa: B018 - parses every field or raises
    except (ValueError, TypeError) as error:
        raise KeyStoreError(
            f"{source} is not an encrypted PKCS#8 private key: the file is damaged or was "
            "replaced; restore it from the key backup"
        ) from error
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise KeyStoreError(
            f"the key passphrase does not open {source}: check GOV3_KEY_PASSPHRASE (the "
            "passphrase the key was created with), or restore the file from the key backup"
        ) from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeyStoreError(f"{source} does not hold an EC P-256 key; issuer keys are P-256")
    return key


class FileKeyStore:
    """Issuer keys as files: `<reference>.key.pem` (encrypted) and `<reference>.pub.pem`.

    The private key file is PKCS#8 encrypted with PBES2 (scrypt N=2**14, r=8, p=1;
    AES-256-CBC) under the store passphrase, which comes from the environment or a secrets
    manager, never from the database. Files are mode 0600 in a 0700 directory, written
    through a temporary file and published with a hard link, which is atomic and refuses to
    replace an existing file. Each key is decrypted once per store instance; keep one
    instance per process.
    """

    name = "file"

    def __init__(self, directory: Path | str, passphrase: bytes) -> None:
        if not isinstance(passphrase, bytes):
            raise KeyStoreError(
                "the key passphrase must be bytes (encode the configured text as UTF-8)"
            )
        if len(passphrase) < PASSPHRASE_MIN_BYTES:
            raise KeyStoreError(
                f"the key passphrase is shorter than {PASSPHRASE_MIN_BYTES} bytes; set "
                "GOV3_KEY_PASSPHRASE to a long random value, for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        self._directory = Path(directory)
        self._passphrase = passphrase
        self._signers: dict[str, PrivateKeySigner] = {}
        self._lock = threading.Lock()
        self._prepare_directory()

    @property
    def directory(self) -> Path:
        return self._directory

    def create(self, label: str) -> str:
        reference = new_reference(label)
        private_key = ec.generate_private_key(ec.SECP256R1())
        public_pem = private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        # Public half first: a crash in between leaves an orphan public file, never a private
        # key whose public half is missing.
        self._write_new(self._public_path(reference), public_pem)
        self._write_new(
            self._private_path(reference), encrypt_private_key(private_key, self._passphrase)
        )
        with self._lock:
            self._signers[reference] = PrivateKeySigner(private_key)
        return reference

    def signer(self, reference: str) -> Signer:
        check_reference(reference)
        cached = self._signers.get(reference)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._signers.get(reference)
            if cached is None:
                cached = self._load_signer(reference)
                self._signers[reference] = cached
        return cached

    def public_key(self, reference: str) -> ec.EllipticCurvePublicKey:
        check_reference(reference)
        path = self._public_path(reference)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            if self._private_path(reference).exists():
                return self.signer(reference).public_key
            raise self._missing(reference) from None
        except OSError as error:
            raise KeyStoreError(f"cannot read {path}: {error.strerror}") from error
        return _load_public_key(data, source=str(path))

    def retire(self, reference: str) -> None:
        """Delete the encrypted private key file; the public key file stays.

        Retiring twice is harmless. Copies of the (encrypted) file in backups are not touched:
        see docs/keys.md on backups of retired keys.
        """
        check_reference(reference)
        with self._lock:
            self._signers.pop(reference, None)
            try:
                self._private_path(reference).unlink()
            except FileNotFoundError:
                if not self._public_path(reference).exists():
                    raise self._missing(reference) from None
                return
            _fsync_directory(self._directory)

    def _prepare_directory(self) -> None:
        directory = self._directory
        if not directory.exists():
            try:
                directory.mkdir(mode=0o700, parents=True)
                directory.chmod(0o700)  # mkdir's mode is reduced by the umask
            except OSError as error:
                raise KeyStoreError(
                    f"cannot create the key directory {directory}: {error.strerror}; "
                    "check GOV3_KEY_DIR"
                ) from error
            return
        if not directory.is_dir():
            raise KeyStoreError(f"the key directory {directory} is not a directory")
        mode = directory.stat().st_mode & 0o777
        if os.name == "posix" and mode & 0o077:
            raise KeyStoreError(
                f"the key directory {directory} is open to other users (mode {mode:o}); "
                f"run `chmod 700 {directory}`"
            )

    def _private_path(self, reference: str) -> Path:
        return self._directory / f"{reference}.key.pem"

    def _public_path(self, reference: str) -> Path:
        return self._directory / f"{reference}.pub.pem"

    def _missing(self, reference: str) -> KeyStoreError:
        return KeyStoreError(
            f"there is no key {reference} in {self._directory}: check GOV3_KEY_DIR, or "
            "restore the key directory from backup"
        )

    def _load_signer(self, reference: str) -> PrivateKeySigner:
        path = self._private_path(reference)
        try:
            with path.open("rb") as handle:
                data = handle.read(_MAX_KEY_FILE_BYTES + 1)
        except FileNotFoundError:
            if self._public_path(reference).exists():
                raise KeyStoreError(
                    f"key {reference} is retired: its private key was deleted, so it can no "
                    "longer sign; sign with the document type's current key"
                ) from None
            raise self._missing(reference) from None
        except OSError as error:
            raise KeyStoreError(f"cannot read {path}: {error.strerror}") from error
        if len(data) > _MAX_KEY_FILE_BYTES:
            raise KeyStoreError(f"{path} is too large to be a key file; restore it from backup")
        signer = PrivateKeySigner(decrypt_private_key(data, self._passphrase, source=str(path)))
        public_path = self._public_path(reference)
        if public_path.exists():
            published = _load_public_key(public_path.read_bytes(), source=str(public_path))
            if published.public_numbers() != signer.public_key.public_numbers():
                raise KeyStoreError(
                    f"{path} and {public_path} hold different keys: a file was replaced; "
                    "restore both from the key backup"
                )
        return signer

    def _write_new(self, path: Path, data: bytes) -> None:
        descriptor, temporary = tempfile.mkstemp(dir=self._directory, prefix=".tmp-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            # A hard link publishes the complete file atomically and, unlike os.replace,
            # fails instead of overwriting a key that is already there.
            os.link(temporary, path)
        except FileExistsError as error:
            raise KeyStoreError(
                f"{path} already exists; a key file is never overwritten"
            ) from error
        except OSError as error:
            raise KeyStoreError(f"cannot write {path}: {error.strerror}") from error
        finally:
            Path(temporary).unlink(missing_ok=True)
        _fsync_directory(self._directory)


def _load_public_key(data: bytes, *, source: str) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as error:
        raise KeyStoreError(f"{source} is not a PEM public key; restore it from backup") from error
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeyStoreError(f"{source} does not hold an EC P-256 key; issuer keys are P-256")
    return key


def _fsync_directory(directory: Path) -> None:
    """Make a new or removed directory entry durable (POSIX; a no-op where unsupported)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
