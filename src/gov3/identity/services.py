"""Write commands of identity: signing in with the national digital ID, and passkeys."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from gov3.accounts.models import AccountKind, User
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.identity.models import NationalIdLink, Passkey
from gov3.registry.models import Person
from gov3.registry.queries import compact_id_number

#: The audit log's actor for what a citizen does before gov3 knows who they are.
ANONYMOUS = "anonymous"


class NotInRegisterError(ValidationFailedError):
    """The national digital ID vouched for a number the register does not hold (or holds for
    someone who cannot have an account); no account was made."""


def do_record_refused_sign_in(*, method: str, reason: str, data: dict[str, Any]) -> None:
    """Write a refused sign-in attempt to the audit log (nothing else changes)."""
    with transaction.atomic(durable=True):
        record_audit(
            actor=ANONYMOUS,
            action="identity.sign_in_refused",
            target_type="sign_in",
            target_id=method,
            data={"reason": reason, **data},
        )


def do_sign_in_with_national_id(
    *, country: str, issuer: str, subject: str, national_id: str
) -> User:
    """The citizen account of the register person with this national id number, made on the
    first sign-in, and linked to the provider's `subject` for this person.

    People are matched by number only, never by name. A number the register does not hold, a
    deceased person, an officer's or administrator's account, or a subject already linked to
    another person is refused and changes nothing (and is written to the audit log)."""
    number = compact_id_number(national_id)
    person = Person.objects.filter(country=country, national_id=number).first() if number else None
    refusal = _refusal(person, issuer, subject)
    if refusal is not None:
        do_record_refused_sign_in(
            method="national_id",
            reason=refusal,
            data={"issuer": issuer, "subject": subject},
        )
        raise NotInRegisterError(refusal)
    assert person is not None
    now = timezone.now()
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().filter(person=person).first()
        if user is None:
            user = User(
                username=f"nid-{person.public_id.hex[:16]}",
                kind=AccountKind.CITIZEN,
                person=person,
            )
            user.set_unusable_password()
            user.save()
            record_audit(
                actor=f"identity:{issuer}",
                action="accounts.create_citizen",
                target_type="user",
                target_id=user.pk,
                data={"person": person.pk, "through": "national_id"},
            )
        link, created = NationalIdLink.objects.get_or_create(
            issuer=issuer,
            subject=subject,
            defaults={"user": user, "linked_at": now, "last_sign_in_at": now},
        )
        if not created:
            NationalIdLink.objects.filter(pk=link.pk).update(last_sign_in_at=now)
        record_audit(
            actor=f"user:{user.pk}",
            action="identity.signed_in_with_national_id",
            target_type="user",
            target_id=user.pk,
            data={"issuer": issuer, "subject": subject, "linked": created},
        )
    return user


def _refusal(person: Person | None, issuer: str, subject: str) -> str | None:
    if person is None:
        return "not_in_register"
    if person.date_of_death is not None:
        return "deceased"
    account = User.objects.filter(person=person).first()
    if account is not None and account.kind != AccountKind.CITIZEN:
        return "not_a_citizen_account"
    link = NationalIdLink.objects.filter(issuer=issuer, subject=subject).first()
    if link is not None and (account is None or link.user_id != account.pk):
        return "subject_linked_to_another_person"
    return None


def do_add_passkey(
    user: User,
    *,
    name: str,
    credential_id: bytes,
    public_key: bytes,
    sign_count: int,
    transports: list[str],
) -> Passkey:
    """Keep a passkey the citizen just made (its registration already verified)."""
    name = name.strip()[:100]
    if not name:
        raise ValidationFailedError("Give the passkey a name, e.g. the device it is on.")
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise ValidationFailedError("This passkey is already registered.")
    with transaction.atomic(durable=True):
        passkey = Passkey.objects.create(
            user=user,
            name=name,
            credential_id=credential_id,
            public_key=public_key,
            sign_count=sign_count,
            transports=transports,
            created_at=timezone.now(),
        )
        record_audit(
            actor=f"user:{user.pk}",
            action="identity.passkey_added",
            target_type="user",
            target_id=user.pk,
            data={"passkey": passkey.pk, "name": name},
        )
    return passkey


def do_record_passkey_sign_in(passkey: Passkey, *, new_sign_count: int) -> None:
    """A verified passkey sign-in: keep the authenticator's new signature counter."""
    with transaction.atomic(durable=True):
        Passkey.objects.filter(pk=passkey.pk).update(
            sign_count=new_sign_count, last_used_at=timezone.now()
        )
        record_audit(
            actor=f"user:{passkey.user_id}",
            action="identity.signed_in_with_passkey",
            target_type="user",
            target_id=passkey.user_id,
            data={"passkey": passkey.pk},
        )


def do_remove_passkey(user: User, passkey_id: int) -> None:
    """Remove one of the citizen's own passkeys; it no longer signs in."""
    with transaction.atomic(durable=True):
        deleted, _ = Passkey.objects.filter(pk=passkey_id, user=user).delete()
        if not deleted:
            raise ValidationFailedError("There is no such passkey on your account.")
        record_audit(
            actor=f"user:{user.pk}",
            action="identity.passkey_removed",
            target_type="user",
            target_id=user.pk,
            data={"passkey": passkey_id},
        )
