"""Write commands of identity: signing in with the national digital ID, and passkeys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from gov3.accounts.models import AccountKind, User
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.core.translations import in_every_language
from gov3.documents.core import sdjwt
from gov3.documents.issuers import signer_for
from gov3.documents.models import DocumentStatus, IssuedDocument
from gov3.documents.services import issuer_id, vct
from gov3.documents.statuses import status_uri
from gov3.identity import wallets
from gov3.identity.models import CredentialOffer, NationalIdLink, OfficerPasskey, Passkey
from gov3.notifications.models import NotificationKind
from gov3.notifications.services import do_notify
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


def do_record_refused_token_request(*, client_id: str, error: str, grant_type: str) -> None:
    """Write a token request that gov3's OpenID provider refused to the audit log: which client
    it claimed to be and the OAuth error, never a secret, code or verifier."""
    with transaction.atomic(durable=True):
        record_audit(
            actor=f"client:{client_id[:100]}" if client_id else ANONYMOUS,
            action="identity.token_request_refused",
            target_type="oidc_client",
            target_id=client_id[:64],
            data={"client_id": client_id[:200], "error": error[:64], "grant_type": grant_type[:64]},
        )


def do_record_refused_authorization(
    *, actor: str, client_id: str, error: str, description: str
) -> None:
    """Write an authorization request that gov3's OpenID provider refused (an unknown client, a
    redirect_uri it did not register, no PKCE challenge, …) or that the citizen declined
    (``access_denied``) to the audit log: the client it named, the OAuth error and its
    description."""
    with transaction.atomic(durable=True):
        record_audit(
            actor=actor,
            action="identity.authorization_refused",
            target_type="oidc_client",
            target_id=client_id[:64],
            data={
                "client_id": client_id[:200],
                "error": error[:64],
                "description": description[:200],
            },
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


# --- credentials to wallets (OID4VCI) ----------------------------------------------------------

#: Minutes a credential offer can be redeemed, and seconds its access token lives.
OFFER_MINUTES = 10
TOKEN_SECONDS = 300
#: Wrong transaction codes after which the offer is locked.
MAX_TX_CODE_TRIES = 5


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: The notification that carries the transaction code (a separate channel from the QR code:
#: OID4VCI 1.0 §4.1.1, `tx_code`).
_TX_CODE_TITLE = gettext_noop("Your code to add a document to your wallet")
_TX_CODE_BODY = gettext_noop(
    "When your wallet asks for a code, type %(code)s. It works once, for %(minutes)s minutes, "
    "with the offer you opened on gov3. Never give it to anyone: gov3 will never ask you for it."
)


def do_create_credential_offer(
    user: User, document: IssuedDocument
) -> tuple[CredentialOffer, str, bool]:
    """Offer the citizen's document to their wallet: returns the offer, the pre-authorized code
    (for the QR code) and whether the transaction code was e-mailed as well.

    The transaction code goes to the citizen as a notification (in their notifications on the
    website, and by e-mail if they have an address and want codes by e-mail), never on the page
    with the QR code; only its hash is kept with the offer."""
    if document.document_type not in wallets.WALLET_TYPES:
        raise ValidationFailedError("This document cannot be sent to a wallet.")
    if document.status != DocumentStatus.VALID:
        raise ValidationFailedError("A revoked document cannot be sent to a wallet.")
    code = secrets.token_urlsafe(32)
    tx_code = "".join(secrets.choice("0123456789") for _ in range(wallets.TX_CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic(durable=True):
        offer = CredentialOffer.objects.create(
            document=document,
            created_by=user,
            code_sha256=_sha256(code),
            tx_code_sha256=_sha256(tx_code),
            created_at=now,
            expires_at=now + timedelta(minutes=OFFER_MINUTES),
        )
        record_audit(
            actor=f"user:{user.pk}",
            action="identity.wallet_offer_created",
            target_type="document",
            target_id=document.pk,
            data={"offer": offer.pk},
        )
        notification = do_notify(
            document.holder,
            NotificationKind.CODE,
            title=in_every_language(_TX_CODE_TITLE),
            body=in_every_language(_TX_CODE_BODY, code=tx_code, minutes=OFFER_MINUTES),
            link=reverse("documents:detail", args=[document.public_id]),
            key=f"wallet-offer:{offer.pk}",
            now=now,
        )
    emailed = notification is not None and notification.email_deliveries.exists()
    return offer, code, emailed


def _wallet_refusal(offer: CredentialOffer | None, error: str, reason: str) -> None:
    with transaction.atomic(durable=True):
        record_audit(
            actor="wallet",
            action="identity.wallet_request_refused",
            target_type="document" if offer else "wallet",
            target_id=offer.document_id if offer else "",
            data={"offer": offer.pk if offer else None, "error": error, "reason": reason},
        )


def do_exchange_pre_authorized_code(code: str, tx_code: str) -> tuple[str, int]:
    """The token endpoint's pre-authorized code grant: an access token for the wallet.

    Refused (and audited) for an unknown, expired or used code, and for a wrong transaction
    code; the fifth wrong transaction code locks the offer for good."""
    offer = CredentialOffer.objects.filter(code_sha256=_sha256(code or "")).first()
    now = timezone.now()
    if offer is None or offer.expires_at <= now or offer.token_sha256 is not None:
        reason = "unknown" if offer is None else "expired or used"
        _wallet_refusal(offer, "invalid_grant", reason)
        raise wallets.WalletRequestError(
            "invalid_grant", "The code is unknown, expired or already used."
        )
    if offer.failed_tx_codes >= MAX_TX_CODE_TRIES:
        _wallet_refusal(offer, "invalid_grant", "locked")
        raise wallets.WalletRequestError(
            "invalid_grant", "Too many wrong transaction codes: ask for a new offer."
        )
    if not hmac.compare_digest(_sha256(tx_code or ""), offer.tx_code_sha256):
        with transaction.atomic(durable=True):
            CredentialOffer.objects.filter(pk=offer.pk).update(
                failed_tx_codes=F("failed_tx_codes") + 1
            )
            record_audit(
                actor="wallet",
                action="identity.wallet_request_refused",
                target_type="document",
                target_id=offer.document_id,
                data={"offer": offer.pk, "error": "invalid_grant", "reason": "wrong tx_code"},
            )
        raise wallets.WalletRequestError("invalid_grant", "The transaction code is wrong.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        updated = CredentialOffer.objects.filter(pk=offer.pk, token_sha256__isnull=True).update(
            token_sha256=_sha256(token), token_expires_at=now + timedelta(seconds=TOKEN_SECONDS)
        )
        if not updated:  # a second request with the same code won the race
            raise wallets.WalletRequestError("invalid_grant", "The code was already used.")
        record_audit(
            actor="wallet",
            action="identity.wallet_token_issued",
            target_type="document",
            target_id=offer.document_id,
            data={"offer": offer.pk},
        )
    return token, TOKEN_SECONDS


def do_issue_to_wallet(
    access_token: str, configuration_id: object, proof: object
) -> tuple[CredentialOffer, str]:
    """The credential endpoint: the offered document's SD-JWT VC, issued again bound to the
    key the wallet proved it holds (one credential per offer). Returns the offer and the
    credential."""
    offer = (
        CredentialOffer.objects.select_related("document", "document__key", "document__status_list")
        .filter(token_sha256=_sha256(access_token or ""))
        .first()
    )
    now = timezone.now()
    if offer is None or offer.token_expires_at is None or offer.token_expires_at <= now:
        _wallet_refusal(offer, "invalid_token", "unknown or expired access token")
        raise wallets.WalletRequestError("invalid_token", "The access token is unknown or expired.")
    if offer.issued_at is not None:
        _wallet_refusal(offer, "invalid_token", "already delivered")
        raise wallets.WalletRequestError("invalid_token", "This offer was already delivered.")
    document = offer.document
    if configuration_id != document.document_type:
        _wallet_refusal(offer, "unknown_credential_configuration", str(configuration_id)[:80])
        raise wallets.WalletRequestError(
            "unknown_credential_configuration", "This offer is for another credential."
        )
    try:
        holder_key = wallets.holder_key_from_proof(proof)
    except wallets.WalletRequestError as refusal:
        _wallet_refusal(offer, refusal.error, refusal.description)
        raise
    credential = sdjwt.issue(
        signer_for(document.key),
        issuer=issuer_id(),
        vct=vct(document.document_type),
        claims=document.claims,
        issued_at=int(now.timestamp()),
        expires_at=int(document.expires_at.timestamp()) if document.expires_at else None,
        status=sdjwt.StatusReference(
            idx=document.status_index, uri=status_uri(document.status_list)
        ),
        holder_key=holder_key,
    )
    with transaction.atomic(durable=True):
        updated = CredentialOffer.objects.filter(pk=offer.pk, issued_at__isnull=True).update(
            issued_at=now, holder_key=holder_key
        )
        if not updated:
            raise wallets.WalletRequestError("invalid_token", "This offer was already delivered.")
        record_audit(
            actor="wallet",
            action="identity.credential_delivered_to_wallet",
            target_type="document",
            target_id=document.pk,
            data={"offer": offer.pk, "holder_key": holder_key},
        )
    return offer, credential.serialized


# --- officers' passkeys as their second factor -------------------------------------------------


def do_add_officer_passkey(
    user: User, *, name: str, credential_id: bytes, public_key: bytes, sign_count: int
) -> OfficerPasskey:
    """Keep a passkey an officer made (signed in with their second factor) as a second factor."""
    name = name.strip()[:64]
    if not user.is_officer:
        raise ValidationFailedError("Only officers use a passkey as their second factor.")
    if not name:
        raise ValidationFailedError("Give the passkey a name, e.g. the device it is on.")
    if OfficerPasskey.objects.filter(credential_id=credential_id).exists():
        raise ValidationFailedError("This passkey is already registered.")
    with transaction.atomic(durable=True):
        passkey: OfficerPasskey = OfficerPasskey.objects.create(
            user=user,
            name=name,
            confirmed=True,
            credential_id=credential_id,
            public_key=public_key,
            sign_count=sign_count,
            created_at=timezone.now(),
        )
        record_audit(
            actor=f"user:{user.pk}",
            action="identity.officer_passkey_added",
            target_type="user",
            target_id=user.pk,
            data={"passkey": passkey.pk, "name": name},
        )
    return passkey


def do_record_officer_passkey_use(passkey: OfficerPasskey, *, new_sign_count: int) -> None:
    """A verified second factor by passkey: keep the authenticator's new counter."""
    with transaction.atomic(durable=True):
        OfficerPasskey.objects.filter(pk=passkey.pk).update(
            sign_count=new_sign_count, last_used_at=timezone.now()
        )
        record_audit(
            actor=f"user:{passkey.user_id}",
            action="identity.officer_signed_in_with_passkey",
            target_type="user",
            target_id=passkey.user_id,
            data={"passkey": passkey.pk},
        )
