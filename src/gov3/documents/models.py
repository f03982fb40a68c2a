"""Issued documents, the issuer keys that sign them, their status lists and passport numbers.

Private keys are never here: an `IssuerKey` row holds the public key, its certificate and an
opaque reference into the key store (docs/keys.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.cases.models import Case
from gov3.registry.models import Person


class DocumentType(models.TextChoices):
    """What gov3 issues; each type has its own issuer key and status list."""

    PASSPORT = "passport", _("Passport")
    RESIDENT_REGISTRATION = "resident_registration", _("Resident registration certificate")
    FAMILY_RELATIONS = "family_relations", _("Family relations certificate")
    DISCLOSURE = "disclosure", _("Information disclosure")
    SCHOOL_ENROLMENT = "school_enrolment", _("Certificate of enrolment")
    SCHOOL_GRADUATION = "school_graduation", _("Certificate of graduation")
    EMPLOYMENT = "employment", _("Certificate of employment")
    CAREER = "career", _("Career certificate")

    SCHOOL_TRANSCRIPT = "school_transcript", _("School transcript")


class IssuerKey(models.Model):
    """One signing key of one document type. The newest unretired key signs; retired keys
    stay published so that what they signed still verifies."""

    kid = models.CharField(max_length=64, unique=True, help_text=_("RFC 7638 thumbprint"))
    document_type = models.CharField(max_length=24, choices=DocumentType.choices)
    store = models.CharField(max_length=20, help_text=_("the key store holding the private key"))
    reference = models.CharField(max_length=200, help_text=_("the private key's id in the store"))
    public_jwk = models.JSONField()
    certificate = models.BinaryField(help_text=_("self-signed X.509 certificate (DER)"))
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document_type"],
                condition=models.Q(retired_at__isnull=True),
                name="issuerkey_one_current_per_type",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_type} key {self.kid}"


class StatusList(models.Model):
    """An IETF Token Status List for one document type: one bit per document (1 = revoked)."""

    document_type = models.CharField(max_length=24, choices=DocumentType.choices)
    number = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    bits = models.BinaryField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "number"], name="statuslist_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_type} status list {self.number}"


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


class IssuedDocument(models.Model):
    """A document as issued: what it shows, its signed forms and its status."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document_type = models.CharField(max_length=24, choices=DocumentType.choices)
    number = models.CharField(
        max_length=24, unique=True, help_text=_("the confirmation number printed on it")
    )
    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="documents")
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    claims = models.JSONField(help_text=_("what the document shows"))
    credential = models.TextField(help_text=_("SD-JWT VC with every disclosure"))
    qr_payload = models.TextField(help_text=_("signed CWT, zlib, base45"))
    pdf = models.BinaryField()
    png = models.BinaryField(null=True, blank=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.VALID
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="document_unique_status_index"
            )
        ]
        indexes = [models.Index(fields=["holder", "issued_at"], name="document_holder")]

    def __str__(self) -> str:
        return f"{self.document_type} {self.number}"


class PassportNumber(models.Model):
    """Every passport number ever allocated: a number is never given out twice, even when the
    issuance that took it failed."""

    number = models.CharField(max_length=12, unique=True)
    country = models.CharField(max_length=2)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT)
    allocated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.number


class PassportPhoto(models.Model):
    """The applicant's photo for a passport case, re-encoded with no metadata kept."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="photo")
    jpeg = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"photo for case {self.case_id}"
