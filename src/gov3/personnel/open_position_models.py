"""Models of open positions (issue 18 item 8): public postings of posts designated as open
positions, the selection committee, applications and the contract of the selected candidate.
Imported by `models.py` so that Django registers them with the personnel app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.accounts.models import Agency, User
from gov3.personnel.models import PersonnelOrder, Position
from gov3.registry.models import Person


class PostingStatus(models.TextChoices):
    OPEN = "open", _("Open for applications")
    FILLED = "filled", _("Filled")


class OpenPosting(models.Model):
    """A public posting of an open position: anyone may apply while it is open (from
    `opens_on` to `closes_on`, inclusive); the contract runs `contract_years`."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="postings")
    title = models.CharField(max_length=200)
    duties = models.TextField()
    requirements = models.TextField(blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField()
    contract_years = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=PostingStatus.choices)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-opens_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class CommitteeMember(models.Model):
    """A member of a posting's selection committee: external (not a civil servant of the
    agency) or internal; one is the chair."""

    posting = models.ForeignKey(OpenPosting, on_delete=models.CASCADE, related_name="committee")
    name = models.CharField(max_length=200)
    affiliation = models.CharField(max_length=200)
    external = models.BooleanField()
    chair = models.BooleanField(default=False)

    class Meta:
        ordering = ["-chair", "pk"]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SELECTED = "selected", _("Selected")


class OpenApplication(models.Model):
    """An application to a posting by a signed-in person (their name and birth date are the
    register's)."""

    posting = models.ForeignKey(OpenPosting, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField()
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["posting", "person"], name="one_application_a_person")
        ]

    def __str__(self) -> str:
        return f"{self.posting_id}/{self.pk}"


class OpenContract(models.Model):
    """The contract of the candidate selected for a posting: the appointment (or transfer)
    order that carries it, from `starts_on` to `ends_on` inclusive."""

    posting = models.OneToOneField(OpenPosting, on_delete=models.PROTECT, related_name="contract")
    application = models.OneToOneField(
        OpenApplication, on_delete=models.PROTECT, related_name="contract"
    )
    order = models.OneToOneField(
        PersonnelOrder, on_delete=models.PROTECT, related_name="open_contract"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    years = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.order} until {self.ends_on}"
