"""Status lists in the database: a random free index for each new document (so the position
says nothing about when it was issued), a bit set on revocation, and the signed status list
token that verifiers fetch (IETF Token Status List)."""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.utils import timezone

from gov3.documents.core import statuslist, verify
from gov3.documents.issuers import current_key, signer_for
from gov3.documents.models import IssuedDocument, StatusList

#: A list is closed for new documents once this share of it is taken: random free indexes stay
#: quick to find, and the list is still large enough for herd privacy.
FILL_LIMIT = 0.5
#: A status list token is valid this long; verifiers refetch after `ttl`.
TOKEN_SECONDS = 24 * 3600
TOKEN_TTL = 3600


def status_uri(status_list: StatusList) -> str:
    """Where the list is published (the same rule the pure verifier derives QR references by)."""
    return verify.status_uri(settings.GOV3_SITE_URL, status_list.document_type, status_list.number)


def _open_list(document_type: str) -> StatusList:
    latest = StatusList.objects.filter(document_type=document_type).order_by("-number").first()
    if latest is not None:
        taken = IssuedDocument.objects.filter(status_list=latest).count()
        if taken < latest.size * FILL_LIMIT:
            return latest
    number = 1 if latest is None else latest.number + 1
    size = statuslist.DEFAULT_SIZE
    status_list, _ = StatusList.objects.get_or_create(
        document_type=document_type,
        number=number,
        defaults={"size": size, "bits": bytes(size // 8), "updated_at": timezone.now()},
    )
    return status_list


def open_lists(document_types: list[str]) -> list[StatusList]:
    """The list each document type's next documents go to, created if there is none yet: an
    offline bundle exported now then covers documents issued after it as well."""
    return [_open_list(document_type) for document_type in document_types]


def allocate(document_type: str) -> tuple[StatusList, int]:
    """A list and a free index on it, chosen at random (inside the issuing transaction; the
    unique constraint settles a race)."""
    status_list = _open_list(document_type)
    while True:
        index = secrets.randbelow(status_list.size)
        if not IssuedDocument.objects.filter(status_list=status_list, status_index=index).exists():
            return status_list, index


def set_status(status_list: StatusList, index: int, status: int) -> None:
    """Write one entry (inside the caller's transaction; the row is locked)."""
    locked = StatusList.objects.select_for_update().get(pk=status_list.pk)
    bits = bytearray(bytes(locked.bits))
    byte, bit = divmod(index, 8)
    if status:
        bits[byte] |= 1 << bit
    else:
        bits[byte] &= ~(1 << bit) & 0xFF
    StatusList.objects.filter(pk=locked.pk).update(bits=bytes(bits), updated_at=timezone.now())


def status_of(status_list: StatusList, index: int) -> int:
    """The entry as stored now (index 0 is the least significant bit of byte 0)."""
    bits = bytes(StatusList.objects.values_list("bits", flat=True).get(pk=status_list.pk))
    return (bits[index // 8] >> (index % 8)) & 1


def as_status_list(status_list: StatusList) -> statuslist.StatusList:
    return statuslist.StatusList.from_bytes(bytes(status_list.bits), bits=1)


_tokens: dict[tuple[int, str], tuple[float, str]] = {}


def status_token(status_list: StatusList) -> str:
    """The list as a signed `statuslist+jwt`, cached until the list changes or an hour passes."""
    cache_key = (status_list.pk, status_list.updated_at.isoformat())
    cached = _tokens.get(cache_key)
    now = time.time()
    if cached is not None and cached[0] > now:
        return cached[1]
    key = current_key(status_list.document_type)
    token = as_status_list(status_list).token(
        signer_for(key),
        subject_uri=status_uri(status_list),
        issued_at=int(now),
        expires_at=int(now) + TOKEN_SECONDS,
        ttl=TOKEN_TTL,
    )
    _tokens.clear()
    _tokens[cache_key] = (now + TOKEN_TTL, token)
    return token
