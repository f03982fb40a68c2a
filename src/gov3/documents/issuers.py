"""Issuer keys as the application sees them: the configured key store, the current key of each
document type (made on first use), rotation, and the published public keys (docs/keys.md)."""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gov3.catalogue.installed import country_pack
from gov3.core.audit import record_audit
from gov3.documents.core.jose import public_jwk
from gov3.documents.core.keys import FileKeyStore, self_signed_certificate
from gov3.documents.core.keystore import KeyStore
from gov3.documents.core.signing import Signer
from gov3.documents.models import DocumentType, IssuerKey

logger = logging.getLogger(__name__)

#: Years an issuer certificate says it is good for (documents outlive a rotation: the old
#: certificate stays published; see docs/keys.md).
CERTIFICATE_YEARS = 12


@lru_cache(maxsize=1)
def key_store() -> KeyStore:
    """The key store named by `GOV3_KEY_STORE` ("file" or "pkcs11")."""
    kind = settings.GOV3_KEY_STORE
    if kind == "pkcs11":
        # Only a deployment with an HSM imports the PKCS#11 store and its optional dependency
        # (`pip install gov3[hsm]`); a runtime install without it must still start.
        from gov3.documents.core.keys_pkcs11 import Pkcs11KeyStore  # noqa: PLC0415

        return Pkcs11KeyStore(
            settings.GOV3_PKCS11_LIBRARY, settings.GOV3_PKCS11_TOKEN, settings.GOV3_PKCS11_PIN
        )
    if kind != "file":
        raise ValueError(f"GOV3_KEY_STORE must be 'file' or 'pkcs11', not {kind!r}")
    return FileKeyStore(settings.GOV3_KEY_DIR, settings.GOV3_KEY_PASSPHRASE.encode("utf-8"))


def _issuer_name() -> tuple[str, str]:
    pack = country_pack(settings.GOV3_COUNTRY)
    return pack.names.get("en", pack.code.upper()), pack.code.upper()


def _create(document_type: str, actor: str) -> IssuerKey:
    store = key_store()
    now = timezone.now()
    reference = store.create(f"gov3-{document_type}-{now:%Y%m%d%H%M%S}")
    public = store.public_key(reference)
    organisation, country = _issuer_name()
    certificate = self_signed_certificate(
        store.signer(reference),
        common_name=f"gov3 {DocumentType(document_type).label} issuer",
        organisation=organisation,
        country=country,
        not_before=now - timedelta(minutes=5),
        not_after=now + timedelta(days=365 * CERTIFICATE_YEARS),
    )
    key = IssuerKey.objects.create(
        kid=store.signer(reference).kid,
        document_type=document_type,
        store=store.name,
        reference=reference,
        public_jwk=public_jwk(public),
        certificate=certificate,
        created_at=now,
    )
    record_audit(
        actor=actor,
        action="documents.key_created",
        target_type="issuer_key",
        target_id=key.kid,
        data={"document_type": document_type, "store": store.name},
    )
    return key


def current_key(document_type: str) -> IssuerKey:
    """The key that signs new documents of this type; the first is made on first use."""
    key = IssuerKey.objects.filter(document_type=document_type, retired_at__isnull=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _create(document_type, "system:documents")
    except IntegrityError:  # another process made it first
        return IssuerKey.objects.get(document_type=document_type, retired_at__isnull=True)


def do_rotate_key(document_type: str, *, actor: str) -> IssuerKey:
    """Retire the current key of `document_type` and make a new one. Documents already signed
    keep verifying: the retired key stays published."""
    DocumentType(document_type)  # ValueError for an unknown type
    with transaction.atomic(durable=True):
        old = list(
            IssuerKey.objects.select_for_update().filter(
                document_type=document_type, retired_at__isnull=True
            )
        )
        IssuerKey.objects.filter(pk__in=[k.pk for k in old]).update(retired_at=timezone.now())
        key = _create(document_type, actor)
        record_audit(
            actor=actor,
            action="documents.key_rotated",
            target_type="issuer_key",
            target_id=key.kid,
            data={"document_type": document_type, "retired": [k.kid for k in old]},
        )
    return key


_signers: dict[str, Signer] = {}


def signer_for(key: IssuerKey) -> Signer:
    """A signer of `key` (cached for the process: the store decrypts a key once)."""
    signer = _signers.get(key.kid)
    if signer is None:
        signer = key_store().signer(key.reference)
        if signer.kid != key.kid:
            raise RuntimeError(f"the key store's key {key.reference} is not key {key.kid}")
        _signers[key.kid] = signer
    return signer


def signing_keys_problem() -> str | None:
    """Readiness (`/readyz`): the key store opens, and each current key's public half reads and
    its private half loads. None when all is well; else which key, never the store's message
    (it may name a path or a token) -- that goes to the server log."""
    try:
        store = key_store()
    except Exception:
        logger.warning("the key store cannot be opened", exc_info=True)
        return f"the {settings.GOV3_KEY_STORE} key store cannot be opened"
    for key in IssuerKey.objects.filter(retired_at__isnull=True).order_by("document_type"):
        try:
            store.public_key(key.reference)
            signer_for(key)
        except Exception:
            logger.warning("issuer key %s cannot be used", key.kid, exc_info=True)
            return f"the current {key.document_type} key ({key.kid}) cannot be read from the store"
    return None


def jwks() -> dict[str, Any]:
    """The issuer's JSON Web Key Set: every key, current and retired, with its certificate."""
    keys = []
    for key in IssuerKey.objects.order_by("document_type", "created_at"):
        jwk: dict[str, Any] = dict(key.public_jwk)
        jwk.update(
            kid=key.kid,
            use="sig",
            alg="ES256",
            x5c=[_b64(bytes(key.certificate))],
            gov3_document_type=key.document_type,
        )
        if key.retired_at is not None:
            jwk["gov3_retired_at"] = key.retired_at.isoformat()
        keys.append(jwk)
    return {"keys": keys}


def _b64(data: bytes) -> str:
    """x5c members are plain base64, not base64url (RFC 7517 §4.7)."""
    return base64.b64encode(data).decode("ascii")
