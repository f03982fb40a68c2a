"""The population register.

Change it only through the `do_*` commands in `services.py`: each records a life event and an
audit entry in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from gov3.core.models import AppendOnlyModel, NeverDeleted


class AreaLevel(models.TextChoices):
    """Levels of the administrative hierarchy, from the country pack."""

    PROVINCE = "province", _("Province")
    MUNICIPALITY = "municipality", _("Municipality")
    DISTRICT = "district", _("District")


class Area(NeverDeleted, models.Model):
    """An administrative area: province → municipality → district."""

    country = models.CharField(max_length=2)
    code = models.CharField(max_length=20, help_text=_("the official code of the area"))
    level = models.CharField(max_length=12, choices=AreaLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    name_local = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="area_unique_code")]
        ordering = ["country", "code"]

    def __str__(self) -> str:
        return f"{self.name_local} ({self.name_en})"


class Address(models.Model):
    """A dwelling's address within a district."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT)
    street = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.street}, {self.area.name_local}"


class Household(models.Model):
    """A registered household (세대): the people living at one address under one head."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    address = models.ForeignKey(Address, on_delete=models.PROTECT)
    created_on = models.DateField()

    def __str__(self) -> str:
        return f"household {self.pk} at {self.address_id}"


class Sex(models.TextChoices):
    """Sex as registered (ICAO 9303 uses M, F and < for unspecified)."""

    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNSPECIFIED = "X", _("Unspecified")


class Relationship(models.TextChoices):
    """A member's relationship to the head of the household."""

    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other relative or cohabitant")


class Disability(models.TextChoices):
    """Registered disability degree (Korea's 2019 two-level system: severe / not severe)."""

    NONE = "none", _("None registered")
    MILD = "mild", _("Not severe")
    SEVERE = "severe", _("Severe")


class Person(NeverDeleted, models.Model):
    """A resident in the population register."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(max_length=2)
    national_id = models.CharField(max_length=20)
    name_local = models.CharField(max_length=100, help_text=_("name in the national script"))
    name_latin = models.CharField(
        max_length=100, help_text=_("registered romanised name, as on the passport")
    )
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    nationality = models.CharField(max_length=3, help_text=_("ISO 3166-1 alpha-3"))
    date_of_death = models.DateField(null=True, blank=True)
    mother = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    father = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spouse = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    relationship_to_head = models.CharField(
        max_length=12, choices=Relationship.choices, default=Relationship.HEAD
    )
    disability = models.CharField(max_length=8, choices=Disability.choices, default=Disability.NONE)
    monthly_income = models.BigIntegerField(
        default=0, help_text=_("recognised monthly income, in the currency's minor unit")
    )
    income_assessed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country", "national_id"], name="person_unique_national_id"
            )
        ]
        indexes = [models.Index(fields=["name_local"]), models.Index(fields=["birth_date"])]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.name_local} ({self.name_latin})"

    @property
    def is_alive(self) -> bool:
        return self.date_of_death is None

    def age_on(self, day: date) -> int:
        """Age in completed years on ``day``."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


class PassportStatus(models.TextChoices):
    """Whether a passport can still be used."""

    VALID = "valid", _("Valid")
    CANCELLED = "cancelled", _("Cancelled")


class Passport(models.Model):
    """A passport issued to a person; numbers are never reused."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="passports")
    number = models.CharField(max_length=9, unique=True)
    issued_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=PassportStatus.choices, default=PassportStatus.VALID
    )

    class Meta:
        indexes = [models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return f"{self.number} (expires {self.expires_on})"


class LifeEventKind(models.TextChoices):
    """Kinds of life event the register records."""

    REGISTRATION = "registration", _("Registered as resident")
    BIRTH = "birth", _("Birth")
    DEATH = "death", _("Death")
    MARRIAGE = "marriage", _("Marriage")
    DIVORCE = "divorce", _("Divorce")
    MOVE = "move", _("Change of address")
    NAME_CHANGE = "name_change", _("Change of name")
    DISABILITY_REGISTRATION = "disability_registration", _("Disability registration")
    INCOME_ASSESSMENT = "income_assessment", _("Income assessment")
    PASSPORT_ISSUED = "passport_issued", _("Passport issued")
    PASSPORT_CANCELLED = "passport_cancelled", _("Passport cancelled")


class LifeEvent(AppendOnlyModel):
    """One entry in a person's append-only life event log."""

    # No index of its own: the (person, occurred_on) index below serves lookups by person.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="life_events", db_index=False
    )
    kind = models.CharField(max_length=30, choices=LifeEventKind.choices)
    occurred_on = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["person", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of person {self.person_id} on {self.occurred_on}"


class Vaccination(models.Model):
    """One dose given, as the vaccination register records it (in Korea the KDCA's
    immunization registry, 예방접종통합관리시스템). Rules read it through declared facts
    (`gov3.registry.readers`), e.g. the date of a person's latest influenza dose."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="vaccinations")
    vaccine = models.CharField(max_length=40)  # "influenza", "pneumococcal", …
    given_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["vaccine", "person", "given_on"])]

    def __str__(self) -> str:
        return f"{self.vaccine} for person {self.person_id} on {self.given_on}"
