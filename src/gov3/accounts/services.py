"""Write commands for accounts: citizens, officers, administrators and their second factor."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import AccountKind, Agency, ApiToken, OfficerPost, OfficerRole, User
from gov3.accounts.posts import forget_posts
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.registry.models import Area, Person


def _refuse_taken(username: str) -> None:
    if User.objects.filter(username=username).exists():
        raise ValidationFailedError(f"The user name {username!r} is already taken.")


def do_create_agency(
    actor: str,
    *,
    code: str,
    name_local: str,
    name_en: str,
    country: str,
    services: list[str] | None = None,
    area_code: str | None = None,
) -> Agency:
    """Register an agency whose officers use gov3 (idempotent on ``code``); `services` are the
    ids of the services whose cases it decides ("*": all that no other agency names);
    `area_code` the area it serves (its registry officers read that area's residents)."""
    area = Area.objects.get(country=country, code=area_code) if area_code else None
    with transaction.atomic(durable=True):
        agency, created = Agency.objects.get_or_create(
            code=code,
            defaults={
                "name_local": name_local,
                "name_en": name_en,
                "country": country,
                "services": services or [],
                "area": area,
            },
        )
        if created:
            record_audit(
                actor=actor, action="accounts.create_agency", target_type="agency", target_id=code
            )
        elif services is not None and agency.services != services:
            Agency.objects.filter(pk=agency.pk).update(services=services)
            agency.services = services
            record_audit(
                actor=actor,
                action="accounts.agency_services",
                target_type="agency",
                target_id=code,
                data={"services": services},
            )
        if not created and area is not None and agency.area_id != area.pk:
            Agency.objects.filter(pk=agency.pk).update(area=area)
            agency.area = area
            record_audit(
                actor=actor,
                action="accounts.agency_area",
                target_type="agency",
                target_id=code,
                data={"area": area.code},
            )
    return agency


def do_create_citizen_account(
    actor: str, *, person: Person, username: str, password: str, email: str = ""
) -> User:
    """Open a citizen account for a registered, living person."""
    if person.date_of_death is not None:
        raise ValidationFailedError("An account cannot be opened for a deceased person.")
    if User.objects.filter(person=person).exists():
        raise ValidationFailedError(f"{person} already has an account.")
    _refuse_taken(username)
    with transaction.atomic(durable=True):
        user = User(username=username, email=email, kind=AccountKind.CITIZEN, person=person)
        user.set_password(password)
        user.save()
        record_audit(
            actor=actor,
            action="accounts.create_citizen",
            target_type="user",
            target_id=user.pk,
            data={"person": person.pk},
        )
    return user


def _new_totp_device(user: User, key_hex: str | None) -> TOTPDevice:
    device = TOTPDevice(user=user, name="authenticator", confirmed=True)
    device.key = key_hex or secrets.token_hex(20)
    device.save()
    return device


def do_create_officer_account(
    actor: str,
    *,
    username: str,
    password: str,
    agency: Agency,
    role: str,
    totp_key_hex: str | None = None,
) -> tuple[User, TOTPDevice]:
    """Open an officer account with its TOTP authenticator (officers must use it to sign in)."""
    _refuse_taken(username)
    with transaction.atomic(durable=True):
        user = User(
            username=username, kind=AccountKind.OFFICER, agency=agency, role=OfficerRole(role)
        )
        user.set_password(password)
        user.save()
        device = _new_totp_device(user, totp_key_hex)
        # Its first post, open-ended; personnel orders give the next ones (ADR 0036).
        OfficerPost.objects.create(
            user=user,
            agency=agency,
            role=role,
            starts_on=timezone.localdate(),
            reference="account created",
            recorded_at=timezone.now(),
        )
        forget_posts(user.pk)
        record_audit(
            actor=actor,
            action="accounts.create_officer",
            target_type="user",
            target_id=user.pk,
            data={"agency": agency.code, "role": role},
        )
    return user, device


def do_create_administrator(
    actor: str, *, username: str, password: str, totp_key_hex: str | None = None
) -> tuple[User, TOTPDevice]:
    """Open a registry administrator account (Django admin), with a TOTP authenticator."""
    _refuse_taken(username)
    with transaction.atomic(durable=True):
        user = User(
            username=username,
            kind=AccountKind.ADMINISTRATOR,
            is_staff=True,
            is_superuser=True,
        )
        user.set_password(password)
        user.save()
        device = _new_totp_device(user, totp_key_hex)
        record_audit(
            actor=actor,
            action="accounts.create_administrator",
            target_type="user",
            target_id=user.pk,
        )
    return user, device


def do_set_password(actor: str, user: User, password: str) -> None:
    """Set a new password for an account."""
    with transaction.atomic(durable=True):
        user.set_password(password)
        user.save(update_fields=["password"])
        record_audit(
            actor=actor, action="accounts.set_password", target_type="user", target_id=user.pk
        )


TOKEN_PREFIX = "gov3_"  # noqa: S105 - a recognisable prefix, not a secret


def do_create_api_token(
    actor: str, user: User, *, name: str, days: int = 90
) -> tuple[ApiToken, str]:
    """Make a bearer token for `user`; returns the record and the token, shown only now."""
    if not user.is_active:
        raise ValidationFailedError(f"{user.get_username()} is not an active account.")
    if not name.strip():
        raise ValidationFailedError("Say what the token is for (a name).")
    if not 1 <= days <= 366:
        raise ValidationFailedError("A token lives between 1 and 366 days.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100],
            prefix=secret[: len(TOKEN_PREFIX) + 3],
            sha256=token_hash(secret),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        record_audit(
            actor=actor,
            action="accounts.api_token_created",
            target_type="user",
            target_id=user.pk,
            data={"token": token.pk, "name": token.name, "expires_at": token.expires_at},
        )
    return token, secret


def do_revoke_api_token(actor: str, token: ApiToken) -> None:
    """Stop a token working at once."""
    with transaction.atomic(durable=True):
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        record_audit(
            actor=actor,
            action="accounts.api_token_revoked",
            target_type="user",
            target_id=token.user_id,
            data={"token": token.pk},
        )


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
