"""Officers' authenticator secrets are stored sealed (AES-256-GCM), never in clear.

django-otp keeps a TOTP device's secret as hex in `TOTPDevice.key` and reads it only through
`TOTPDevice.bin_key`. gov3 seals the secret before every save (`pre_save`) and gives
`bin_key` the opening (`install`, from the accounts app's `ready`): one property, because the
library has no hook for it. A key still in hex (made before sealing, or typed into the admin's
"add" form) is read as it is and sealed at its next save; the migration seals existing ones.

The sealing key is derived (HKDF-SHA256) from `GOV3_KEY_PASSPHRASE`, the secret that already
protects the issuer keys and is required outside development (docs/keys.md): a database dump
alone does not give anyone an officer's second factor.
"""

from __future__ import annotations

import base64
import os
from binascii import unhexlify
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "sealed:"
_NONCE = 12


def _aead() -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"gov3 totp secrets v1"
    ).derive(str(settings.GOV3_KEY_PASSPHRASE).encode("utf-8"))
    return AESGCM(key)


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def seal(secret: bytes) -> str:
    """The secret as stored: `sealed:` and base64 of nonce, ciphertext and tag (≤ 80 chars
    for a 20-byte secret, the column's size)."""
    nonce = os.urandom(_NONCE)
    return PREFIX + base64.b64encode(nonce + _aead().encrypt(nonce, secret, b"totp")).decode()


def open_sealed(stored: str) -> bytes:
    """The secret of a stored key (sealed, or hex not yet sealed)."""
    if not is_sealed(stored):
        return unhexlify(stored.encode())
    raw = base64.b64decode(stored[len(PREFIX) :])
    try:
        return _aead().decrypt(raw[:_NONCE], raw[_NONCE:], b"totp")
    except InvalidTag:
        raise ValueError(
            "An authenticator secret cannot be opened: GOV3_KEY_PASSPHRASE is not the one it "
            "was sealed with."
        ) from None


def _bin_key(device: Any) -> bytes:
    return open_sealed(device.key)


def seal_before_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.key and not is_sealed(instance.key):
        instance.key = seal(unhexlify(instance.key.encode()))


def install() -> None:
    """Make django-otp read sealed secrets, and seal every secret before it is saved."""
    from django.db.models.signals import pre_save  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    TOTPDevice.bin_key = property(_bin_key)
    pre_save.connect(seal_before_save, sender=TOTPDevice, dispatch_uid="gov3-seal-totp")
