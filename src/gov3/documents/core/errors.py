"""Why a credential, a QR code or a status list was refused: one exception, a reason code.

The reason code is stable and machine-readable so that a verification page can translate it
into the reader's language; the message is English detail for logs and developers.
"""

from __future__ import annotations

import enum
from typing import Final

MALFORMED: Final = "malformed"
"""Not the expected encoding or structure (truncated, not base64url/base45/CBOR/JSON, …)."""
UNSUPPORTED_ALGORITHM: Final = "unsupported_algorithm"
"""Signed with anything but ES256 (`none`, HS256, RS256, …): never accepted."""
UNKNOWN_KEY: Final = "unknown_key"
"""The key id is not one of the issuer keys the verifier trusts."""
BAD_SIGNATURE: Final = "bad_signature"
"""The signature does not match: the text was changed after signing, or forged."""
BAD_DISCLOSURE: Final = "bad_disclosure"
"""An SD-JWT disclosure is malformed, repeated, or was not issued with this credential."""
NOT_YET_VALID: Final = "not_yet_valid"
"""Issued (`iat`) or valid from (`nbf`) a time still in the future, beyond the clock leeway."""
WRONG_TYPE: Final = "wrong_type"
"""Another kind of token (JWT `typ`) or another credential type (`vct`) than expected."""
WRONG_PREFIX: Final = "wrong_prefix"
"""A QR text that does not start with the expected context prefix (e.g. `GV1:`)."""
BAD_STATUS_LIST: Final = "bad_status_list"
"""A status list (token) that cannot be trusted or read: bad signature, expired, wrong URI."""

REASON_CODES: Final = frozenset(
    {
        MALFORMED,
        UNSUPPORTED_ALGORITHM,
        UNKNOWN_KEY,
        BAD_SIGNATURE,
        BAD_DISCLOSURE,
        NOT_YET_VALID,
        WRONG_TYPE,
        WRONG_PREFIX,
        BAD_STATUS_LIST,
    }
)


class DocumentsError(Exception):
    """Base class of the document core's errors a user or operator is meant to read.

    The core is pure (no Django, nothing of gov3's apps), so it has its own base; the Django
    side treats it like `gov3.core.errors.Gov3Error` (the API answers 400, pages show the
    message).
    """


class CredentialInvalidError(DocumentsError):
    """A credential, QR payload or status list was refused; `reason` is one of REASON_CODES.

    Expiry is not an error: verifiers report it in their result so that a page can say
    "genuine, but expired".
    """

    def __init__(self, reason: str, message: str) -> None:
        if reason not in REASON_CODES:
            raise ValueError(f"unknown reason code {reason!r}")
        self.reason = reason
        self.message = message
        super().__init__(f"{reason}: {message}")


class PdfFailure(enum.StrEnum):
    """Why `verify_pdf` rejected a file."""

    NOT_A_PDF = "not_a_pdf"
    UNSIGNED = "unsigned"
    MODIFIED_AFTER_SIGNING = "modified_after_signing"
    BAD_SIGNATURE = "bad_signature"
    UNTRUSTED_SIGNER = "untrusted_signer"
    MALFORMED = "malformed"
