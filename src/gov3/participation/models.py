"""Participation: petitions and civil complaints (e-People), public petitions with
signatures, information-disclosure requests, consultations on draft rules.

Change these only through the `do_*` commands in `services/`: each owns its transaction,
writes the audit entry and tells the citizen. A petition's history (`PetitionEvent`) is
append-only; the petition row carries the current state and a version for optimistic locking.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.accounts.models import Agency
from gov3.core.models import AppendOnlyModel
from gov3.documents.models import IssuedDocument
from gov3.registry.models import Area, Person


class PetitionKind(models.TextChoices):
    """The petition types of the Civil Petitions Treatment Act (each has its own period)."""

    COMPLAINT = "complaint", _("Complaint")
    QUESTION = "question", _("Question")
    PROPOSAL = "proposal", _("Proposal")


class PetitionStatus(models.TextChoices):
    OPEN = "open", _("Being handled")
    ANSWERED = "answered", _("Answered")


class PetitionGroup(models.Model):
    """Alike petitions answered together: one answer reaches every petitioner."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="petition_groups")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"petition group {self.pk}"


class Petition(models.Model):
    """A complaint, question or proposal filed by a citizen, routed to an agency."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(max_length=2)
    kind = models.CharField(max_length=10, choices=PetitionKind.choices)
    category = models.CharField(max_length=40)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT)
    title = models.CharField(max_length=200)
    text = models.TextField()
    petitioner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="petitions")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="petitions")
    #: How it was routed: the category chosen, the classifier's guess and confidence.
    routing = models.JSONField(default=dict)
    filed_at = models.DateTimeField()
    filed_on = models.DateField()
    due_on = models.DateField()
    extended = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=PetitionStatus.choices, default=PetitionStatus.OPEN
    )
    group = models.ForeignKey(
        PetitionGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="petitions"
    )
    similarity = models.FloatField(null=True, blank=True)
    #: MinHash signature of the text (participation.core.similarity), 64 uint32 values.
    signature = models.BinaryField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "status", "due_on"], name="petition_queue"),
            models.Index(fields=["petitioner", "filed_at"], name="petition_petitioner"),
        ]

    def __str__(self) -> str:
        return f"petition {self.public_id} ({self.status})"


class PetitionBand(models.Model):
    """One LSH band key of a petition's signature: alike petitions share a key."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="bands")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["agency", "key"], name="petition_band_key")]

    def __str__(self) -> str:
        return f"band {self.key} of {self.petition_id}"


class PetitionEventKind(models.TextChoices):
    FILED = "filed", _("Filed")
    TRANSFERRED = "transferred", _("Transferred")
    EXTENDED = "extended", _("Period extended")
    GROUPED = "grouped", _("Grouped with alike petitions")
    SPLIT = "split", _("Taken out of a group")
    ANSWERED = "answered", _("Answered")
    RATED = "rated", _("Rated")
    OBJECTED = "objected", _("Objection filed")
    OBJECTION_DECIDED = "objection_decided", _("Objection decided")


class PetitionEvent(AppendOnlyModel):
    """One step in a petition's history, shown to the petitioner and the officers."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=PetitionEventKind.choices)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    from_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.kind} on {self.petition_id}"


class PetitionAttachment(models.Model):
    """A file the petitioner attached (size and type checked when filed)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.name


class ObjectionOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld: the answer is reconsidered")
    DISMISSED = "dismissed", _("Dismissed: the answer stands")


class PetitionObjection(models.Model):
    """The petitioner disputes the answer, within the legal period."""

    petition = models.OneToOneField(Petition, on_delete=models.PROTECT, related_name="objection")
    text = models.TextField()
    filed_on = models.DateField()
    due_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=ObjectionOutcome.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"objection to {self.petition_id}"


class PublicPetitionStatus(models.TextChoices):
    OPEN = "open", _("Collecting signatures")
    REACHED = "reached", _("Threshold reached: awaiting the public answer")
    CLOSED = "closed", _("Closed without reaching the threshold")
    ANSWERED = "answered", _("Answered publicly")


class PublicPetition(models.Model):
    """A petition others sign; one that reaches the threshold in its period must be answered
    publicly by the agency."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(max_length=2)
    title = models.CharField(max_length=200)
    text = models.TextField()
    opened_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="public_petitions")
    category = models.CharField(max_length=40)
    opened_on = models.DateField()
    closes_on = models.DateField()
    threshold = models.PositiveIntegerField()
    signature_count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=PublicPetitionStatus.choices, default=PublicPetitionStatus.OPEN
    )
    reached_on = models.DateField(null=True, blank=True)
    public_answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    """One person's signature (identity from the register, through their account)."""

    petition = models.ForeignKey(
        PublicPetition, on_delete=models.PROTECT, related_name="signatures"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "person"], name="one_signature_a_person")
        ]

    def __str__(self) -> str:
        return f"signature of {self.person_id} on {self.petition_id}"


class DisclosureDecision(models.TextChoices):
    DISCLOSE = "disclose", _("Disclosed")
    PARTIAL = "partial", _("Partly disclosed")
    REFUSE = "refuse", _("Refused")


class DisclosureRequest(models.Model):
    """A request for information held by an agency (Official Information Disclosure Act)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(max_length=2)
    requester = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    subject = models.TextField(help_text=_("the information asked for"))
    received_on = models.DateField()
    due_on = models.DateField()
    extended = models.BooleanField(default=False)
    extension_reason = models.TextField(blank=True)
    decision = models.CharField(max_length=10, choices=DisclosureDecision.choices, blank=True)
    grounds = models.JSONField(default=list, help_text=_("legal grounds for not disclosing"))
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        IssuedDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"disclosure request {self.public_id}"


class DisclosureFile(models.Model):
    """A file disclosed (it travels inside the signed disclosure document)."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.name


class DisclosureObjection(models.Model):
    """The requester disputes a refusal, a partial disclosure or a deemed refusal."""

    request = models.OneToOneField(
        DisclosureRequest, on_delete=models.PROTECT, related_name="objection"
    )
    text = models.TextField()
    filed_on = models.DateField()
    due_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=ObjectionOutcome.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"objection to {self.request_id}"


class ProactivePublication(models.Model):
    """An item on an agency's proactive publication list (published without a request)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    url = models.URLField()
    published_on = models.DateField()

    def __str__(self) -> str:
        return self.title


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("Open for comments")
    CLOSED = "closed", _("Closed")
    ADOPTED = "adopted", _("Adopted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Consultation(models.Model):
    """A draft change to a service (new parameter values or a changed rule) put to the public
    with its computed impact."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(max_length=2)
    service_id = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The draft: each changed country-pack file (path inside the pack → its full text).
    files = models.JSONField()
    current_version = models.CharField(max_length=30)
    draft_version = models.CharField(max_length=30)
    #: The day both versions are evaluated on (the draft's values hold from it).
    effective_on = models.DateField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.OPEN
    )
    #: The published impact (suppressed tables), from `participation.impact_tables`.
    impact = models.JSONField(default=dict)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class Stance(models.TextChoices):
    SUPPORT = "support", _("I support the draft")
    OPPOSE = "oppose", _("I oppose the draft")
    COMMENT = "comment", _("I only comment")


class ConsultationComment(models.Model):
    """One citizen's answer to a consultation (one per person; a second replaces nothing)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="comments"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "person"], name="one_comment_a_person")
        ]

    def __str__(self) -> str:
        return f"{self.stance} on {self.consultation_id}"
