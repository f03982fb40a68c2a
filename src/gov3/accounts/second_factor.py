"""An officer's own second factor: one-time recovery codes and their own sessions, which they
may end.

Recovery codes are a django-otp device of gov3's own (`RecoveryCodeDevice`) that keeps only a
keyed hash of each code (`recovery_code_hashing`); they are shown once, and each is deleted
when used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from gov3.accounts import recovery_code_hashing
from gov3.accounts.models import RecoveryCode, RecoveryCodeDevice, User
from gov3.core.audit import record_audit

#: How many recovery codes a set holds.
RECOVERY_CODES = 10
#: The name of the static device that holds an officer's recovery codes.
RECOVERY_DEVICE = "Recovery codes"
#: When the session was signed in (set at every sign-in; sessions from before have none).
SIGNED_IN_AT = "gov3_signed_in_at"


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the officer has."""
    return int(RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count())


def do_make_recovery_codes(user: User) -> list[str]:
    """A new set of recovery codes for `user`; any earlier set stops working. The codes are
    returned to be shown once."""
    codes = [recovery_code_hashing.new_code() for _ in range(RECOVERY_CODES)]
    with transaction.atomic(durable=True):
        RecoveryCodeDevice.objects.filter(user=user).delete()
        device = RecoveryCodeDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
        RecoveryCode.objects.bulk_create(_hashed(device, code) for code in codes)
        record_audit(
            actor=user.get_username(),
            action="accounts.recovery_codes_made",
            target_type="user",
            target_id=user.pk,
            data={"codes": len(codes)},
        )
    return codes


def _hashed(device: RecoveryCodeDevice, code: str) -> RecoveryCode:
    salt = recovery_code_hashing.new_salt()
    return RecoveryCode(device=device, salt=salt, digest=recovery_code_hashing.digest(code, salt))


def do_record_recovery_code_sign_in(user: User) -> int:
    """Write to the audit log that `user` signed in with a recovery code (its device has
    already deleted it); return how many are left."""
    left = recovery_codes_left(user)
    with transaction.atomic(durable=True):
        record_audit(
            actor=user.get_username(),
            action="accounts.recovery_code_used",
            target_type="user",
            target_id=user.pk,
            data={"left": left},
        )
    return left


def is_recovery_device(device: Any) -> bool:
    return isinstance(device, RecoveryCodeDevice)


def mark_signed_in(request: HttpRequest) -> None:
    """Note in the session when it was signed in (shown on "My sessions")."""
    request.session[SIGNED_IN_AT] = timezone.now().isoformat()


@dataclass(frozen=True)
class OwnSession:
    """One of the officer's sessions, named by an opaque id (never the session key)."""

    id: str
    signed_in_at: datetime | None
    expires_at: datetime
    current: bool


def session_id(session_key: str) -> str:
    """The opaque id of a session, safe to show and to post back."""
    return salted_hmac("gov3.accounts.own_session", session_key).hexdigest()[:24]


def _own(user: User) -> list[tuple[Session, dict[str, Any]]]:
    found = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()):
        data = session.get_decoded()
        if data.get(SESSION_KEY) == str(user.pk):
            found.append((session, data))
    return found


def own_sessions(user: User, current_key: str | None) -> list[OwnSession]:
    """The user's unexpired sessions, the current one first, then the newest."""
    sessions = []
    for session, data in _own(user):
        signed_in = data.get(SIGNED_IN_AT)
        sessions.append(
            OwnSession(
                id=session_id(session.session_key),
                signed_in_at=datetime.fromisoformat(signed_in) if signed_in else None,
                expires_at=session.expire_date,
                current=session.session_key == current_key,
            )
        )
    return sorted(sessions, key=lambda s: (not s.current, -s.expires_at.timestamp()))


def do_end_own_session(user: User, current_key: str | None, opaque_id: str) -> bool:
    """End the user's other session named `opaque_id`; False (nothing changed) if it is not
    one of theirs, or is the current one."""
    for session, _ in _own(user):
        if session_id(session.session_key) != opaque_id or session.session_key == current_key:
            continue
        with transaction.atomic(durable=True):
            session.delete()
            record_audit(
                actor=user.get_username(),
                action="accounts.session_ended",
                target_type="user",
                target_id=user.pk,
                data={"session": opaque_id},
            )
        return True
    return False
