"""An officer enrols a passkey (instead of an authenticator app) with a one-time enrolment
link: the commands that use the link and that write a refused attempt to the audit log."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import EnrolmentLink
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.identity.models import OfficerPasskey


def do_enrol_officer_passkey(
    link_id: int, *, name: str, credential_id: bytes, public_key: bytes, sign_count: int
) -> OfficerPasskey:
    """Use the link: the officer's new passkey is kept as their second factor and their
    authenticator apps stop working (as when they enrol a new app with the link). Refused,
    nothing changed, if the link was used or expired meanwhile or the passkey is known."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        link = (
            EnrolmentLink.objects.select_for_update()
            .select_related("user")
            .filter(pk=link_id, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if link is None or not link.user.is_active or not link.user.is_officer:
            raise ValidationFailedError("The enrolment link was used or has expired.")
        if OfficerPasskey.objects.filter(credential_id=credential_id).exists():
            raise ValidationFailedError("This passkey is already registered.")
        apps = TOTPDevice.objects.filter(user=link.user).count()
        TOTPDevice.objects.filter(user=link.user).delete()
        passkey: OfficerPasskey = OfficerPasskey.objects.create(
            user=link.user,
            name=name.strip()[:64],
            confirmed=True,
            credential_id=credential_id,
            public_key=public_key,
            sign_count=sign_count,
            created_at=now,
        )
        link.used_at = now
        link.save(update_fields=["used_at"])
        record_audit(
            actor=link.user.get_username(),
            action="accounts.passkey_enrolled",
            target_type="user",
            target_id=link.user_id,
            data={"link": link.pk, "passkey": passkey.pk, "authenticator_apps_removed": apps},
        )
    return passkey


def do_record_refused_enrolment(
    reason: str, *, link: EnrolmentLink | None, detail: str = ""
) -> None:
    """Write a refused enrolment attempt to the audit log (nothing else changes): an unusable
    link, a wrong password, a registration that did not verify."""
    data: dict[str, Any] = {"reason": reason}
    if detail:
        data["detail"] = detail[:200]
    with transaction.atomic(durable=True):
        record_audit(
            actor="anonymous",  # whoever holds the link, not yet known to be the officer
            action="accounts.enrolment_refused",
            target_type="user" if link else "enrolment_link",
            target_id=link.user_id if link else "unknown",
            data={**data, "link": link.pk} if link else data,
        )
