"""Identity: the national digital ID accounts linked to citizens, and citizens' passkeys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class NationalIdLink(models.Model):
    """A citizen account reached through the national digital ID: the provider's identifier
    for the person (`subject`), linked once to the account of the register person whose
    national id number the provider vouched for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="national_id_links",
        verbose_name=_("account"),
    )
    issuer = models.CharField(_("provider"), max_length=300)
    subject = models.CharField(_("subject at the provider"), max_length=255)
    linked_at = models.DateTimeField(_("linked at"))
    last_sign_in_at = models.DateTimeField(_("last sign-in at"))

    class Meta:
        verbose_name = _("national digital ID link")
        verbose_name_plural = _("national digital ID links")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="national_id_link_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"


class Passkey(models.Model):
    """A WebAuthn credential a citizen signs in with: its public key and the authenticator's
    signature counter (a counter that goes backwards betrays a cloned authenticator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="passkeys",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=100)
    credential_id = models.BinaryField(_("credential id"), max_length=1023, unique=True)
    public_key = models.BinaryField(_("public key"))
    sign_count = models.PositiveBigIntegerField(_("signature counter"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class CredentialOffer(models.Model):
    """An offer to deliver one of a citizen's documents to their wallet (OpenID for Verifiable
    Credential Issuance, pre-authorized code flow). Only hashes of the codes are kept; the
    transaction code locks the offer after too many wrong tries."""

    document = models.ForeignKey(
        "documents.IssuedDocument",
        on_delete=models.CASCADE,
        related_name="wallet_offers",
        verbose_name=_("document"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    code_sha256 = models.CharField(max_length=64, unique=True)
    tx_code_sha256 = models.CharField(max_length=64)
    failed_tx_codes = models.PositiveSmallIntegerField(_("wrong transaction codes"), default=0)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    token_sha256 = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    holder_key = models.JSONField(_("wallet key"), null=True, blank=True)

    class Meta:
        verbose_name = _("wallet credential offer")
        verbose_name_plural = _("wallet credential offers")

    def __str__(self) -> str:
        return f"offer {self.pk} of document {self.document_id}"


class OfficerPasskey(Device):  # type: ignore[misc]  # django-otp has no type hints
    """A passkey an officer uses as their second factor instead of the authenticator app: a
    django-otp device, so a sign-in with it counts as verified (phishing-resistant: it only
    answers this site)."""

    user: Any = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    credential_id: Any = models.BinaryField(_("credential id"), max_length=1023, unique=True)
    public_key: Any = models.BinaryField(_("public key"))
    sign_count: Any = models.PositiveBigIntegerField(_("signature counter"), default=0)
    created_at: Any = models.DateTimeField(_("created at"))
    last_used_at: Any = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("officer passkey")
        verbose_name_plural = _("officer passkeys")
