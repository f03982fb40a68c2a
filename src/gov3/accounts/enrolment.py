"""One-time enrolment links: an administrator makes one for an officer, who opens it, confirms
their password and enrols a new authenticator app (TOTP) with a code from it, or a passkey.
An administrator's reset of an officer's authenticator app makes one too."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import EnrolmentLink, RecoveryCodeDevice, User
from gov3.accounts.services import token_hash
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError

#: How long a link works unless the administrator says otherwise.
DEFAULT_HOURS = 72


def _refuse_unless_officer(user: User, hours: int) -> None:
    if not user.is_officer or not user.is_active:
        raise ValidationFailedError(f"{user.get_username()!r} is not an active officer account.")
    if not 1 <= hours <= 24 * 14:
        raise ValidationFailedError("A link works between 1 hour and 14 days.")


def _new_link(actor: str, user: User, hours: int) -> tuple[EnrolmentLink, str]:
    """Inside the caller's transaction: a new link; earlier unused ones stop working."""
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    link = EnrolmentLink.objects.create(
        user=user,
        sha256=token_hash(secret),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    return link, secret


def do_make_enrolment_link(actor: str, user: User, *, hours: int = DEFAULT_HOURS) -> str:
    """A new link secret for `user` (an active officer), shown once; earlier unused
    links of theirs stop working."""
    _refuse_unless_officer(user, hours)
    with transaction.atomic(durable=True):
        link, secret = _new_link(actor, user, hours)
        record_audit(
            actor=actor,
            action="accounts.enrolment_link_made",
            target_type="user",
            target_id=user.pk,
            data={"link": link.pk, "hours": hours},
        )
    return secret


def do_reset_totp(actor: str, user: User, *, hours: int = DEFAULT_HOURS) -> str:
    """An administrator resets an officer's authenticator app (lost or in other hands): their
    TOTP devices and recovery codes are deleted, so sessions verified with them are no longer
    verified, and a new enrolment link is made (its secret returned, to show once). Passkeys
    are kept (each is deleted on its own)."""
    _refuse_unless_officer(user, hours)
    with transaction.atomic(durable=True):
        apps = TOTPDevice.objects.filter(user=user).count()
        TOTPDevice.objects.filter(user=user).delete()
        recovery = RecoveryCodeDevice.objects.filter(user=user).count()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        link, secret = _new_link(actor, user, hours)
        record_audit(
            actor=actor,
            action="accounts.totp_reset",
            target_type="user",
            target_id=user.pk,
            data={"authenticator_apps": apps, "recovery_code_sets": recovery, "link": link.pk},
        )
    return secret


def usable_link(secret: str) -> EnrolmentLink | None:
    """The unused, unexpired link with this secret, or None."""
    return (
        EnrolmentLink.objects.select_related("user")
        .filter(sha256=token_hash(secret), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def code_matches(key_hex: str, code: str) -> int | None:
    """The time step at which `code` is right for `key_hex` (one step of drift), or None."""
    if not code.isdigit():
        return None
    totp = TOTP(bytes.fromhex(key_hex), digits=6)
    return totp.t() if totp.verify(int(code), tolerance=1) else None


def do_enrol_totp(link_id: int, *, key_hex: str, last_t: int) -> TOTPDevice:
    """Use the link: the officer's authenticator apps are replaced by the new one. Refused
    (nothing changed) if the link was used or expired meanwhile."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        link = (
            EnrolmentLink.objects.select_for_update()
            .select_related("user")
            .filter(pk=link_id, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if link is None:
            raise ValidationFailedError("The enrolment link was used or has expired.")
        TOTPDevice.objects.filter(user=link.user).delete()
        device = TOTPDevice(user=link.user, name="authenticator", confirmed=True, last_t=last_t)
        device.key = key_hex
        device.save()
        link.used_at = now
        link.save(update_fields=["used_at"])
        record_audit(
            actor=link.user.get_username(),
            action="accounts.totp_enrolled",
            target_type="user",
            target_id=link.user_id,
            data={"link": link.pk},
        )
    return device
