"""The audit log (every write, hash-chained) and the access log (every read of personal data)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.core.errors import AppendOnlyError

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """Refuses the bulk paths that would change or delete rows without `save()`/`delete()`."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} entries cannot be changed.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} entries cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A row that may be inserted once and never changed or deleted through the application
    (neither one by one nor in bulk through a QuerySet)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} entries cannot be deleted.")


class NeverDeleted:
    """A model whose rows are never deleted (a person of the register, an offer, an area, a
    school, a school-entry round): rows written in bulk refer to them without a database
    foreign key (ADR 0041), so PostgreSQL refuses a DELETE or TRUNCATE of them as well
    (`core.append_only.install_append_only_guards`). The application's own deletes are
    refused by the referring fields' ``on_delete=PROTECT``."""


class AuditEntry(AppendOnlyModel):
    """One write to gov3's data, chained to the previous entry by a SHA-256 hash."""

    at = models.DateTimeField()
    actor = models.CharField(max_length=150, help_text=_("user name, or system:<process>"))
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    request_id = models.CharField(
        max_length=128,
        blank=True,
        default="",
        help_text=_("the request or task that wrote it (as in the logs); empty before issue 15"),
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.target_type}:{self.target_id}"


class ChainHead(models.Model):
    """A hash chain's newest hash and length; locked while an entry is appended.

    It also anchors the end of the chain, so that deleting the newest entries is detected; on
    PostgreSQL a trigger lets it only move forward. Signed checkpoints outside the database
    (`gov3 audit checkpoint`) anchor it in turn.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    length = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"chain of {self.length} entries ending {self.last_hash[:12]}"


class AuditChainHead(ChainHead):
    """The audit chain's head (see `ChainHead`)."""


class AccessChainHead(ChainHead):
    """The access log's chain head (see `ChainHead`)."""


class ChainVerification(AppendOnlyModel):
    """One run of `gov3 audit verify`: whether both chains were intact, as far as the latest
    signed checkpoint; shown on "who looked at my data"."""

    at = models.DateTimeField()
    ok = models.BooleanField()
    audit_length = models.BigIntegerField()
    access_length = models.BigIntegerField()
    checkpoint_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'intact' if self.ok else 'BROKEN'}"


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
    PETITION_HANDLING = "petition_handling", _("Handling the citizen's petition")
    DISCLOSURE_HANDLING = (
        "disclosure_handling",
        _("Handling the citizen's information-disclosure request"),
    )
    SCHOOL_ENTRY = "school_entry", _("School entry and the follow-up of children")
    PERSONNEL_ADMINISTRATION = (
        "personnel_administration",
        _("Personnel administration of a civil servant"),
    )
    CLASSROOM = "classroom", _("Class lists and sign-in for the school's classroom system")


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
    #: The access log is hash-chained like the audit log (its own chain and head).
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} read person {self.subject_id}"
