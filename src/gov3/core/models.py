"""The audit log (every write, hash-chained) and the access log (every read of personal data)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.core.errors import AppendOnlyError


class AppendOnlyModel(models.Model):
    """A row that may be inserted once and never changed or deleted through the application."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} entries cannot be deleted.")


class AuditEntry(AppendOnlyModel):
    """One write to gov3's data, chained to the previous entry by a SHA-256 hash."""

    at = models.DateTimeField()
    actor = models.CharField(max_length=150, help_text=_("user name, or system:<process>"))
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.target_type}:{self.target_id}"


class AuditChainHead(models.Model):
    """The chain's newest hash and length; locked while an entry is appended.

    It also anchors the end of the chain, so that deleting the newest entries is detected.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    length = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain of {self.length} entries ending {self.last_hash[:12]}"


class AccessPurpose(models.TextChoices):
    """Why an officer or a system read a person's record; shown to the citizen."""

    CITIZEN_REQUEST = "citizen_request", _("Serving the citizen's own request")
    BENEFIT_ASSESSMENT = "benefit_assessment", _("Assessing a benefit or service")
    REGISTRY_CORRECTION = "registry_correction", _("Correcting the registry")
    DOCUMENT_ISSUANCE = "document_issuance", _("Issuing a document")
    BIRTH_REGISTRATION = "birth_registration", _("Registering a birth")
    REGISTRY_ADMINISTRATION = "registry_administration", _("Registry administration")
    AUDIT = "audit", _("Audit or inspection")
    SYSTEM_EVALUATION = "system_evaluation", _("Automatic eligibility check")


class AccessChannel(models.TextChoices):
    """How the record was read."""

    WEB = "web", _("Web page")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    SYSTEM = "system", _("System process")
    ADMIN = "admin", _("Administration screen")


class AccessLogEntry(AppendOnlyModel):
    """One read of a person's record by an officer or a system ("who looked at my data")."""

    at = models.DateTimeField(db_index=True)
    subject_id = models.BigIntegerField(db_index=True, help_text=_("registry person id"))
    actor_id = models.BigIntegerField(null=True, help_text=_("user id; empty for a system"))
    actor_label = models.CharField(max_length=150, help_text=_("user name or system name"))
    actor_role = models.CharField(
        max_length=40, blank=True, help_text=_("role code, translated when shown")
    )
    agency = models.CharField(max_length=200)
    purpose = models.CharField(max_length=40, choices=AccessPurpose.choices)
    purpose_note = models.CharField(max_length=500, blank=True)
    channel = models.CharField(max_length=10, choices=AccessChannel.choices)
    what = models.CharField(max_length=300, help_text=_("which parts of the record were read"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} read person {self.subject_id}"
