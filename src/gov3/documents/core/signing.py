"""Who signs: a `Signer` holds (or reaches) one issuer private key and never hands it out.

Key stores (`gov3.documents.core.keys`) give out signers; the credential, QR and PDF modules
only ever see this protocol, so a key kept in a hardware security module signs the same way.
"""

from __future__ import annotations

from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from gov3.documents.core.jose import jwk_thumbprint


class Signer(Protocol):
    """ES256: ECDSA on P-256 with SHA-256."""

    @property
    def kid(self) -> str:
        """The RFC 7638 thumbprint of the public key."""
        ...

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey: ...

    def sign(self, data: bytes) -> bytes:
        """The DER-encoded ECDSA-SHA256 signature of `data` (hashing is the signer's job)."""
        ...


class PrivateKeySigner:
    """A signer over a private key held in this process (file key store, tests, benchmarks)."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key.curve, ec.SECP256R1):
            raise ValueError("issuer keys are P-256")
        self._key = private_key
        self._public = private_key.public_key()
        self._kid = jwk_thumbprint(self._public)

    @classmethod
    def generate(cls) -> PrivateKeySigner:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @property
    def kid(self) -> str:
        return self._kid

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data, ec.ECDSA(hashes.SHA256()))
