"""Accounts: citizens linked to a registry person, officers linked to an agency and a role."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from gov3.accounts import recovery_code_hashing
from gov3.registry.models import Area, Person


class Agency(models.Model):
    """A government agency whose officers use gov3 (e.g. a district office, a ministry)."""

    code = models.CharField(max_length=40, unique=True)
    name_local = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    #: The services whose cases this agency decides (service ids; "*" for every service no
    #: other agency names).
    services = models.JSONField(default=list, blank=True)
    #: The area the agency serves: its registry officers read this area's residents (the
    #: access policy's "area_residents" scope). Empty: no area, so no residents.
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name_local


class AccountKind(models.TextChoices):
    """What an account is for."""

    CITIZEN = "citizen", _("Citizen")
    OFFICER = "officer", _("Officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class OfficerRole(models.TextChoices):
    """An officer's role; it decides which records and actions they may use."""

    REGISTRY_OFFICER = "registry_officer", _("Registry officer")
    WELFARE_OFFICER = "welfare_officer", _("Welfare officer")
    AUDITOR = "auditor", _("Auditor")
    SAEMAUL_OFFICER = "saemaul_officer", _("Saemaul programme officer")
    HR_OFFICER = "hr_officer", _("Personnel (HR) officer")
    SCHOOL_OFFICER = "school_officer", _("School officer")


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp untyped
    """A person who signs in to gov3."""

    kind = models.CharField(max_length=13, choices=AccountKind.choices)
    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=20, choices=OfficerRole.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="citizen") | models.Q(person__isnull=False),
                name="citizen_has_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="officer")
                | (models.Q(agency__isnull=False) & ~models.Q(role="")),
                name="officer_has_agency_and_role",
            ),
        ]

    @property
    def is_citizen(self) -> bool:
        return self.kind == AccountKind.CITIZEN

    @property
    def is_officer(self) -> bool:
        """An officer account that acts as one now: on requests `agency` and `role` come from
        the post effective today (`gov3.accounts.posts.apply_post`), and an officer with no
        current post has neither, so cannot act (ADR 0036)."""
        return self.kind == AccountKind.OFFICER and self.agency_id is not None and bool(self.role)


class OfficerPost(models.Model):
    """The agency and role an officer acts in from `starts_on` to `ends_on` (inclusive; open
    when empty): what a personnel order (or the account's creation) gave them. On every
    request the post effective that day decides the officer's agency and role (ADR 0036);
    `User.agency` and `User.role` only keep the post last applied."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="posts")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=OfficerRole.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    #: Where the post comes from: a personnel order's number, "account created", "migrated".
    reference = models.CharField(max_length=60)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["user", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="officer_post_ends_after_start",
            ),
            models.UniqueConstraint(fields=["user", "starts_on"], name="one_post_starts_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role} at {self.agency_id} from {self.starts_on}"


class ApiToken(models.Model):
    """A bearer token for a system calling /api/v1 on an account's behalf.

    Only the SHA-256 of the token is stored; the token itself is shown once, when it is made
    (`gov3 accounts token`). Its account's permissions apply, nothing more.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text=_("what the token is for"))
    prefix = models.CharField(max_length=8, help_text=_("the first characters, to recognise it"))
    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name}) for {self.user_id}"


class EnrolmentLink(models.Model):
    """A one-time link with which an officer enrols their authenticator app at first sign-in,
    made by an administrator (`gov3 accounts enrolment-link USERNAME`).

    Only the SHA-256 of the link's secret is stored; it works once, until `expires_at`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"enrolment link {self.pk} for {self.user_id}"


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """An officer's set of one-time recovery codes, a django-otp device: `match_token` tries
    it like the authenticator app. The codes are stored hashed (`RecoveryCode`); each works
    once; wrong ones are throttled like django-otp's own static codes."""

    class Meta:
        verbose_name = "recovery codes"
        verbose_name_plural = "recovery codes"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = recovery_code_hashing.normalise(str(token))
        for stored in self.codes.all():
            if not recovery_code_hashing.matches(code, stored.salt, stored.digest):
                continue
            # Deleted by its id: of two sign-ins racing with one code, only one deletes it.
            deleted, _ = RecoveryCode.objects.filter(pk=stored.pk).delete()
            if deleted:
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
                return True
            break
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    """One unused recovery code: only a keyed hash of it and its salt
    (`recovery_code_hashing`); deleted when it is used."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"recovery code {self.pk} of device {self.device_id}"
