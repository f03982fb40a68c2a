"""What citizens send: text within its limits, attachments checked before anything is written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from gov3.core.errors import ValidationFailedError

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_FILES = 5
#: Attachments must be one of these (checked by their first bytes as well as their name).
FILE_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "text/plain": (b"",),
    "text/csv": (b"",),
}


@dataclass(frozen=True)
class Upload:
    """A file as received: its name, declared type and bytes."""

    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_text(text: str, *, required: str, limit: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailedError(required)
    if len(text) > limit:
        raise ValidationFailedError(
            gettext("The text is too long (at most %(n)d characters).") % {"n": limit}
        )
    return text


def checked_uploads(uploads: list[Upload]) -> list[Upload]:
    """Refuse too many, too large or unexpected files, before anything is written."""
    limit = int(settings.GOV3_ATTACHMENT_MAX_BYTES)
    if len(uploads) > MAX_FILES:
        raise ValidationFailedError(gettext("Attach at most %(n)d files.") % {"n": MAX_FILES})
    for upload in uploads:
        if len(upload.data) > limit:
            raise ValidationFailedError(
                gettext("The file %(name)s is too large (at most %(mb)d MB).")
                % {"name": upload.name[:100], "mb": limit // (1024 * 1024)}
            )
        magic = FILE_TYPES.get(upload.content_type)
        if magic is None or not upload.data.startswith(magic):
            raise ValidationFailedError(
                gettext("The file %(name)s is not a PDF, JPEG, PNG or text file.")
                % {"name": upload.name[:100]}
            )
    return uploads
