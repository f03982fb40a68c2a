"""What the participation commands share: who may act, clean text, checked uploads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.registry.models import Person

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


def citizen_person(user: User) -> Person:
    if not user.is_citizen or user.person is None:
        raise PermissionRefusedError(gettext("Only a signed-in citizen can do this."))
    return user.person


def acting_officer(officer: User, agency: Agency | None) -> Agency:
    """The officer's agency, if it is ``agency`` (or any, when None) and the officer may
    act (auditors only read); otherwise "not found"."""
    if (
        not officer.is_officer
        or officer.agency is None
        or officer.role == OfficerRole.AUDITOR
        or (agency is not None and officer.agency_id != agency.pk)
    ):
        raise NotFoundError(gettext("There is no such item in your agency."))
    return officer.agency


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


def agency_by_code(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ValidationFailedError(
            gettext(
                "The agency %(code)s is not set up; an operator runs `gov3 participation load`."
            )
            % {"code": code}
        )
    return agency
