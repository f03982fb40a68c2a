"""The key-store protocol both stores implement, its error, and the references they hand out.

It lives apart from either store so that the file store (`keys`) and the HSM store
(`keys_pkcs11`) can both use it without importing each other: only a deployment that configures
an HSM ever imports `keys_pkcs11` and its optional `python-pkcs11` dependency.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Protocol

from gov3.documents.core.errors import DocumentsError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

    from gov3.documents.core.signing import Signer

__all__ = [
    "REFERENCE_MAX_LENGTH",
    "KeyStore",
    "KeyStoreError",
    "check_reference",
    "new_reference",
]

REFERENCE_MAX_LENGTH = 200

# A reference names files and HSM objects, so it is kept to characters that are safe in both
# (no dot, no slash: it can never point outside the key directory).
_REFERENCE = re.compile(r"[a-z0-9][a-z0-9-]*")
_LABEL_MAX = 48


class KeyStoreError(DocumentsError):
    """A key store cannot do what was asked; the message says which key and what to do."""


class KeyStore(Protocol):
    """Where issuer private keys live; callers keep only the opaque reference `create` returns."""

    name: str

    def create(self, label: str) -> str:
        """Generate a new EC P-256 key inside the store and return its reference.

        The reference is at most 200 characters of `a-z 0-9 -`, starts with the label's slug
        and holds no secret, so it can be stored in the database and shown to operators.
        """
        ...

    def signer(self, reference: str) -> Signer:
        """A signer over the key; cheap to call again (stores cache their signers)."""
        ...

    def public_key(self, reference: str) -> ec.EllipticCurvePublicKey:
        """The key's public half; still available after `retire`."""
        ...

    def retire(self, reference: str) -> None:
        """Delete the private key; the public key stays so that old documents still verify."""
        ...


def new_reference(label: str) -> str:
    """A fresh reference: the label as a slug (for people reading a listing) and 128 random bits.

    The random part makes references unique without asking the store, so two processes
    rotating at once can never pick the same name.
    """
    if not isinstance(label, str):
        raise TypeError(f"a key label is text, such as the document type; got {type(label)!r}")
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:_LABEL_MAX].strip("-")
    return f"{slug or 'key'}-{secrets.token_hex(16)}"


def check_reference(reference: str) -> str:
    """Return `reference` if it has the shape `new_reference` makes; KeyStoreError otherwise."""
    if (
        not isinstance(reference, str)
        or len(reference) > REFERENCE_MAX_LENGTH
        or not _REFERENCE.fullmatch(reference)
    ):
        raise KeyStoreError(
            f"{reference!r} is not a key reference: a reference is up to {REFERENCE_MAX_LENGTH} "
            "characters of a-z, 0-9 and '-', as returned when the key was created"
        )
    return reference
