"""Officers' recovery codes are stored as keyed hashes, never in clear (ADR 0029).

Each code is 8 base32 characters (40 random bits). What is stored is HMAC-SHA256 over a
random per-code salt and the code, keyed with a key derived (HKDF-SHA256) from
`GOV3_KEY_PASSPHRASE`, the secret that already seals the officers' TOTP secrets
(`totp_sealing`): a database dump alone gives no code, and trying the 2^40 codes offline needs
that key too; whoever holds it can open the TOTP secrets anyway. A fast keyed hash rather than a
password hasher (Argon2) because a sign-in tries each of the officer's codes (up to ten).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import b32encode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _key() -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"gov3 recovery codes v1"
    ).derive(str(settings.GOV3_KEY_PASSPHRASE).encode("utf-8"))


def normalise(code: str) -> str:
    """A code as typed (any case, spaces or a dash) in the form it was made."""
    return code.strip().replace("-", "").replace(" ", "").lower()


def new_code() -> str:
    """A new code: 8 base32 characters, lower case (as django-otp's static tokens were)."""
    return b32encode(secrets.token_bytes(5)).decode("ascii").lower()


def new_salt() -> str:
    return secrets.token_hex(16)


def digest(code: str, salt: str) -> str:
    """What is stored for `code` with `salt` (hex)."""
    message = salt.encode("ascii") + b":" + normalise(code).encode("utf-8")
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def matches(code: str, salt: str, stored: str) -> bool:
    return hmac.compare_digest(digest(code, salt), stored)
