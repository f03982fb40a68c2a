"""Reads of identity: a citizen's own passkeys, and the passkey a sign-in names."""

from __future__ import annotations

from django.db.models import QuerySet

from gov3.accounts.models import User
from gov3.identity.models import Passkey


def passkeys_of(user: User) -> QuerySet[Passkey]:
    """The account's passkeys, oldest first."""
    return Passkey.objects.filter(user=user).order_by("created_at", "pk")


def passkey_by_credential_id(credential_id: bytes) -> Passkey | None:
    """The stored passkey with this credential id, with its account, or None."""
    return Passkey.objects.select_related("user").filter(credential_id=credential_id).first()
