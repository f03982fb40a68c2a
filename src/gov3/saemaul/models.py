"""Saemaul Undong: villages, programme rounds, assemblies, projects, materials, funds,
evidence, evaluation, classification and the reporting chain.

Change these rows only through the `do_*` commands in `services.py`: each owns its transaction
and writes an audit entry. Ledgers (stock, deliveries, material use, the village fund,
classifications, project decisions, reference figures) are append-only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gov3.core.models import AppendOnlyModel
from gov3.registry.models import Area, Person, Sex


def localised(names: Mapping[str, str], fallback: str = "") -> str:
    """The name in the active language, else English, else any name given."""
    language = (get_language() or "en").split("-")[0]
    return names.get(language) or names.get("en") or next(iter(names.values()), fallback)


# --- choices --------------------------------------------------------------------------------


class VillageClass(models.TextChoices):
    """The classes of the 1970s programme (기초 → 자조 → 자립), later also the welfare village."""

    BASIC = "basic", _("Basic village")
    SELF_HELP = "self_help", _("Self-help village")
    SELF_RELIANT = "self_reliant", _("Self-reliant village")
    WELFARE = "welfare", _("Welfare village")


#: Higher is further along the path; a promotion is a move to a higher rank.
CLASS_RANK = {
    VillageClass.BASIC: 0,
    VillageClass.SELF_HELP: 1,
    VillageClass.SELF_RELIANT: 2,
    VillageClass.WELFARE: 3,
}


class InfrastructureItem(models.TextChoices):
    """The baseline infrastructure checklist of a village."""

    ROADS = "roads", _("Village roads")
    BRIDGES = "bridges", _("Bridges")
    WATER = "water", _("Drinking water supply")
    ROOFS = "roofs", _("Roof improvement")
    ELECTRICITY = "electricity", _("Electricity")
    VILLAGE_HALL = "village_hall", _("Village hall")
    DRAINS = "drains", _("Drains and sewerage")
    LAUNDRY = "laundry", _("Communal laundry")


class Body(models.TextChoices):
    """The village bodies whose members are registered."""

    DEVELOPMENT_COMMITTEE = "development_committee", _("Village development committee")
    WOMENS_ASSOCIATION = "womens_association", _("Women's association")


class BodyRole(models.TextChoices):
    """A member's role in a village body."""

    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    SECRETARY = "secretary", _("Secretary")
    TREASURER = "treasurer", _("Treasurer")
    MEMBER = "member", _("Member")


class Material(models.TextChoices):
    """What a support package or a depot holds; quantities are whole units (see ``UNITS``)."""

    CEMENT = "cement", _("Cement")
    STEEL = "steel", _("Steel")
    REBAR = "rebar", _("Reinforcing bars")
    CASH = "cash", _("Cash")


#: The unit each material is counted in; tonnes are held as whole kilograms.
UNITS = {
    Material.CEMENT: _("bags"),
    Material.STEEL: _("kg"),
    Material.REBAR: _("kg"),
    Material.CASH: _("KRW"),
}


class RoundStatus(models.TextChoices):
    """Where a programme round is in its life."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class FundingSource(models.TextChoices):
    """Who pays a share of a round (co-financing)."""

    NATIONAL = "national", _("National government")
    LOCAL = "local", _("Local government")
    COMMUNITY = "community", _("Villagers")


class DepotLevel(models.TextChoices):
    """Which office keeps a depot."""

    COUNTY = "county", _("County depot")
    EUP_MYEON = "eup_myeon", _("Eup/myeon depot")


class StockMovement(models.TextChoices):
    """Why a depot's stock changed."""

    RECEIPT = "receipt", _("Received")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    TRANSFER_OUT = "transfer_out", _("Transferred out")
    DELIVERY = "delivery", _("Delivered to a village")
    ADJUSTMENT = "adjustment", _("Stock count adjustment")


class ProjectCategory(models.TextChoices):
    """The four kinds of Saemaul projects."""

    LIVING_ENVIRONMENT = "living_environment", _("Living environment")
    PRODUCTION_INFRASTRUCTURE = "production_infrastructure", _("Production infrastructure")
    INCOME = "income", _("Income generation")
    EDUCATION = "education", _("Education and awareness")


class ProjectStatus(models.TextChoices):
    """The project workflow: draft → submitted → checked (eup/myeon) → approved (county)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHECKED = "checked", _("Checked by the eup/myeon office")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved by the county")
    COMPLETED = "completed", _("Completed")


class ProjectAction(models.TextChoices):
    """A step recorded in a project's history."""

    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Submitted")
    CHECKED = "checked", _("Checked")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")
    COMPLETED = "completed", _("Completed")


class TrancheStatus(models.TextChoices):
    """Whether a cash tranche has been paid out."""

    PENDING = "pending", _("Pending")
    RELEASED = "released", _("Released")


class FundEntryKind(models.TextChoices):
    """Why money entered or left the village fund."""

    CONTRIBUTION = "contribution", _("Villagers' contribution")
    GRANT = "grant", _("Programme grant (tranche)")
    INCOME = "income", _("Income from a village project")
    EXPENSE = "expense", _("Expense")
    OTHER = "other", _("Other")


class PhotoStage(models.TextChoices):
    """When a progress photo was taken."""

    BEFORE = "before", _("Before")
    DURING = "during", _("During")
    AFTER = "after", _("After")


class PhotoFlag(models.TextChoices):
    """Why a photo needs an officer's look (empty: nothing found)."""

    NONE = "", _("No problem found")
    NO_LOCATION = "no_location", _("The photo has no GPS location")
    FAR_FROM_SITE = "far_from_site", _("The photo was taken far from the project site")
    SITE_UNKNOWN = "site_unknown", _("The project has no location to compare with")


class ReviewStatus(models.TextChoices):
    """An officer's view of a progress photo."""

    UNREVIEWED = "unreviewed", _("Not reviewed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ClassMethod(models.TextChoices):
    """How a village's class for a year was decided."""

    COMPUTED = "computed", _("Computed from the criteria")
    RECORDED = "recorded", _("Recorded from the historical record")


class ReportLevel(models.TextChoices):
    """A level of the reporting chain; each is reviewed by the level above."""

    VILLAGE = "village", _("Village")
    EUP_MYEON = "eup_myeon", _("Eup/myeon")
    COUNTY = "county", _("County")
    PROVINCE = "province", _("Province")


class ReportStatus(models.TextChoices):
    """Where a periodic report is in its review."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved (locked)")


class SaemaulLevel(models.TextChoices):
    """The level at which a user works in the programme."""

    VILLAGE = "village", _("Village leader")
    EUP_MYEON = "eup_myeon", _("Eup/myeon officer")
    COUNTY = "county", _("County officer")
    PROVINCE = "province", _("Provincial programme manager")
    CENTRAL = "central", _("Central programme manager")


# --- configuration --------------------------------------------------------------------------


class ProgrammePolicy(models.Model):
    """A country's configurable programme rules (loaded from countries/<cc>/saemaul/)."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    assembly_quorum_percent = models.PositiveSmallIntegerField(_("assembly quorum (%)"), default=50)
    photo_max_distance_m = models.PositiveIntegerField(
        _("largest distance of a photo from its site (m)"), default=1000
    )
    photo_max_bytes = models.PositiveIntegerField(
        _("largest photo file (bytes)"), default=10 * 1024 * 1024
    )
    default_reserve_percent = models.PositiveSmallIntegerField(
        _("default depot reserve (%)"), default=0
    )

    class Meta:
        verbose_name = _("programme policy")
        verbose_name_plural = _("programme policies")

    def __str__(self) -> str:
        return f"policy {self.country}"


class LeaderSlot(models.Model):
    """A leader position every village fills, e.g. one man and one woman Saemaul leader."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("code"), max_length=40)
    names = models.JSONField(_("names"), default=dict)
    required_sex = models.CharField(
        _("required sex"), max_length=1, choices=Sex.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="saemaul_slot_unique_code")
        ]
        ordering = ["country", "position", "code"]
        verbose_name = _("leader slot")
        verbose_name_plural = _("leader slots")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.names, self.code)


class Rubric(models.Model):
    """A scoring rubric for evaluating villages at the end of a round."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    names = models.JSONField(_("names"), default=dict)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return localised(self.names, self.code)


class RubricCriterion(models.Model):
    """One scored line of a rubric, worth 0 … ``max_points``."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=40)
    names = models.JSONField(_("names"), default=dict)
    max_points = models.PositiveSmallIntegerField(_("maximum points"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="saemaul_criterion_unique")
        ]
        ordering = ["rubric", "position"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.names, self.code)


class ClassCriterion(models.Model):
    """The thresholds a village must meet in a year to be of ``village_class`` (configurable)."""

    country = models.CharField(_("country"), max_length=2)
    village_class = models.CharField(_("class"), max_length=12, choices=VillageClass.choices)
    min_household_income_krw = models.BigIntegerField(
        _("lowest average household income (KRW a year)"), default=0
    )
    min_infrastructure_items = models.PositiveSmallIntegerField(
        _("fewest infrastructure items completed"), default=0
    )
    min_village_fund_krw = models.BigIntegerField(_("lowest village fund (KRW)"), default=0)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["country", "village_class"], name="saemaul_class_criterion_unique"
            )
        ]
        verbose_name = _("class criterion")
        verbose_name_plural = _("class criteria")

    def __str__(self) -> str:
        return f"{self.country} {self.village_class}"


# --- villages -------------------------------------------------------------------------------


class Village(models.Model):
    """A village (마을, ri) taking part in the programme, under an eup/myeon/dong area."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("village code"), max_length=30, unique=True)
    name_local = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="saemaul_villages",
        verbose_name=_("eup/myeon/dong"),
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    village_class = models.CharField(
        _("class"), max_length=12, choices=VillageClass.choices, default=VillageClass.BASIC
    )
    registered_on = models.DateField(_("registered on"))

    class Meta:
        indexes = [models.Index(fields=["village_class"])]
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self) -> str:
        return f"{self.name_local} ({self.code})"


class VillageInfrastructure(models.Model):
    """One line of a village's infrastructure checklist: done or not, and since which year."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="infrastructure")
    item = models.CharField(_("item"), max_length=20, choices=InfrastructureItem.choices)
    done = models.BooleanField(_("done"), default=False)
    completed_year = models.PositiveSmallIntegerField(
        _("year completed"), null=True, blank=True, help_text=_("empty: before the programme")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "item"], name="saemaul_infra_unique_item")
        ]
        ordering = ["village", "item"]
        verbose_name = _("infrastructure item")
        verbose_name_plural = _("infrastructure checklist")

    def __str__(self) -> str:
        return f"{self.village_id} {self.item} {'✔' if self.done else '✘'}"


class VillageAnnualFigures(models.Model):
    """A village's yearly survey figures used for classification."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="annual_figures")
    year = models.PositiveSmallIntegerField(_("year"))
    average_household_income_krw = models.BigIntegerField(
        _("average household income (KRW a year)")
    )
    recorded_by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="saemaul_figures_unique_year")
        ]
        ordering = ["village", "year"]
        verbose_name = _("annual village figures")
        verbose_name_plural = _("annual village figures")

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}"


class VillageLeader(models.Model):
    """A person holding a leader slot of a village; ``until`` empty while serving."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="leaders")
    slot = models.ForeignKey(LeaderSlot, on_delete=models.PROTECT, verbose_name=_("slot"))
    name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "slot"],
                condition=Q(until__isnull=True),
                name="saemaul_one_leader_per_slot",
            )
        ]
        ordering = ["village", "slot__position", "-since"]
        verbose_name = _("village leader")
        verbose_name_plural = _("village leaders")

    def __str__(self) -> str:
        return self.name


class BodyMember(models.Model):
    """A member of the development committee or the women's association."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="body_members")
    body = models.CharField(_("body"), max_length=24, choices=Body.choices)
    role = models.CharField(
        _("role"), max_length=12, choices=BodyRole.choices, default=BodyRole.MEMBER
    )
    name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "body"],
                condition=Q(until__isnull=True, role="chair"),
                name="saemaul_one_chair_per_body",
            )
        ]
        ordering = ["village", "body", "role", "name"]
        verbose_name = _("body member")
        verbose_name_plural = _("body members")

    def __str__(self) -> str:
        return f"{self.name} ({self.body})"


# --- programme rounds -----------------------------------------------------------------------


class ProgrammeRound(models.Model):
    """A round of support: the package, who gets it, who pays, caps, windows and deadlines.

    Eligibility is two optional filters: ``eligible_classes`` (empty: any class) and
    ``requires_result_of`` (empty: no condition; else only villages whose evaluation in that
    round showed results). Both empty means every village of the country (or of ``area``).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    country = models.CharField(_("country"), max_length=2)
    names = models.JSONField(_("names"), default=dict)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only in area"),
    )
    eligible_classes = models.JSONField(_("eligible classes"), default=list, blank=True)
    requires_result_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only villages with results in"),
    )
    max_villages = models.PositiveIntegerField(_("most villages"), null=True, blank=True)
    package_value_krw = models.BigIntegerField(
        _("value of one package (KRW)"), null=True, blank=True
    )
    delivery_from = models.DateField(_("deliveries from"), null=True, blank=True)
    delivery_until = models.DateField(_("deliveries until"), null=True, blank=True)
    completion_deadline = models.DateField(_("works finished by"), null=True, blank=True)
    depot_reserve_percent = models.PositiveSmallIntegerField(_("depot reserve (%)"), default=0)
    rubric = models.ForeignKey(
        Rubric, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("rubric")
    )
    pass_score = models.PositiveSmallIntegerField(
        _("score that counts as a result"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    source_title = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["year", "code"]
        verbose_name = _("programme round")
        verbose_name_plural = _("programme rounds")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.names, self.code)

    def budget_krw(self) -> int:
        """National plus local funding (the public budget of the round); 0 if not given."""
        return sum(
            f.amount_krw
            for f in self.funding.all()
            if f.source in (FundingSource.NATIONAL, FundingSource.LOCAL)
        )

    def village_cap(self) -> int | None:
        """The most villages the round may support: ``max_villages`` and the budget, if set."""
        caps: list[int] = []
        if self.max_villages is not None:
            caps.append(self.max_villages)
        budget = self.budget_krw()
        if budget and self.package_value_krw:
            caps.append(budget // self.package_value_krw)
        return min(caps) if caps else None


class PackageLine(models.Model):
    """One line of a round's package, e.g. 500 bags of cement or 1,000 kg of steel."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.CASCADE, related_name="package")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    quantity = models.BigIntegerField(_("quantity"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "material"], name="saemaul_package_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="saemaul_package_positive"),
        ]
        ordering = ["round", "position"]
        verbose_name = _("package line")
        verbose_name_plural = _("package lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.material}"


class RoundFunding(models.Model):
    """A co-financing share of a round: money and, for villagers, labour days per village."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("paid by"), max_length=10, choices=FundingSource.choices)
    amount_krw = models.BigIntegerField(_("amount (KRW)"), default=0)
    labour_days_per_village = models.PositiveIntegerField(_("labour days per village"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "source"], name="saemaul_funding_unique")
        ]
        verbose_name = _("co-financing share")
        verbose_name_plural = _("co-financing shares")

    def __str__(self) -> str:
        return f"{self.source} {self.amount_krw}"


class TrancheRule(models.Model):
    """How an approved project's cash grant is paid: a share, released at a progress level."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("tranche"))
    share_percent = models.PositiveSmallIntegerField(_("share (%)"))
    min_progress_percent = models.PositiveSmallIntegerField(
        _("progress shown by photos before release (%)"), default=0
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="saemaul_tranche_rule_unique")
        ]
        ordering = ["round", "number"]
        verbose_name = _("tranche rule")
        verbose_name_plural = _("tranche rules")

    def __str__(self) -> str:
        return f"{self.number}: {self.share_percent}%"


class Allocation(models.Model):
    """A round's package allocated to one village (at most once: unique per round and village)."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.PROTECT, related_name="allocations")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="allocations")
    value_krw = models.BigIntegerField(_("value (KRW)"), default=0)
    allocated_at = models.DateTimeField(_("allocated at"))
    allocated_by = models.CharField(_("allocated by"), max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "village"], name="saemaul_allocation_once")
        ]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.round_id} → {self.village_id}"


class AllocationLine(models.Model):
    """A quantity of one material in an allocation."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="lines")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    quantity = models.BigIntegerField(_("quantity"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "material"], name="saemaul_allocation_line_unique"
            )
        ]
        indexes = [models.Index(fields=["material"])]
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.material}"


# --- assemblies -----------------------------------------------------------------------------


class Assembly(models.Model):
    """A villagers' general assembly (마을총회), with attendance by sex and its quorum."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="assemblies")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    eligible_members = models.PositiveIntegerField(_("members entitled to attend"))
    attended_men = models.PositiveIntegerField(_("men attending"))
    attended_women = models.PositiveIntegerField(_("women attending"))
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (%)"))
    quorum_met = models.BooleanField(_("quorum met"))
    chaired_by = models.CharField(_("chaired by"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        ordering = ["village", "-held_on"]
        verbose_name = _("village assembly")
        verbose_name_plural = _("village assemblies")

    def __str__(self) -> str:
        return f"{self.village_id} {self.held_on}"

    @property
    def attended(self) -> int:
        return self.attended_men + self.attended_women


class Resolution(models.Model):
    """A decision put to an assembly; ``adopted`` only with quorum and a majority of votes."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="resolutions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    votes_for = models.PositiveIntegerField(_("votes for"))
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)
    adopted = models.BooleanField(_("adopted"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "number"], name="saemaul_resolution_unique_number"
            )
        ]
        ordering = ["assembly", "number"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


# --- projects -------------------------------------------------------------------------------


class Project(models.Model):
    """A village project chosen by the assembly; ``version`` guards against lost decisions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="projects")
    round = models.ForeignKey(
        ProgrammeRound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("programme round"),
    )
    resolution = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("assembly resolution"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=26, choices=ProjectCategory.choices)
    infrastructure_item = models.CharField(
        _("completes checklist item"),
        max_length=20,
        choices=InfrastructureItem.choices,
        blank=True,
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    estimated_cost_krw = models.BigIntegerField(_("estimated cost (KRW)"), default=0)
    requested_grant_krw = models.BigIntegerField(_("cash grant requested (KRW)"), default=0)
    community_cash_krw = models.BigIntegerField(_("villagers' cash (KRW)"), default=0)
    community_labour_days = models.PositiveIntegerField(_("villagers' labour days"), default=0)
    approved_grant_krw = models.BigIntegerField(
        _("cash grant approved (KRW)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=150)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.CharField(_("checked by"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]
        ordering = ["-created_at"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.title

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class ProjectLine(models.Model):
    """A line of the bill of quantities; ``amount_krw`` is the quantity times the unit price."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=200)
    material = models.CharField(
        _("programme material"), max_length=8, choices=Material.choices, blank=True
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20)
    unit_price_krw = models.BigIntegerField(_("unit price (KRW)"), default=0)
    amount_krw = models.BigIntegerField(_("amount (KRW)"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "position"], name="saemaul_line_position")
        ]
        ordering = ["project", "position"]
        verbose_name = _("bill of quantities line")
        verbose_name_plural = _("bill of quantities")

    def __str__(self) -> str:
        return f"{self.description} {self.quantity} {self.unit}"


class ProjectDecision(AppendOnlyModel):
    """One step of a project's history: who did what, when, from which status to which."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(_("action"), max_length=10, choices=ProjectAction.choices)
    from_status = models.CharField(
        _("from"), max_length=10, choices=ProjectStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=ProjectStatus.choices)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["project", "at", "id"]
        verbose_name = _("project decision")
        verbose_name_plural = _("project decisions")

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class Tranche(models.Model):
    """A part of an approved cash grant, released once its progress condition is met."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("tranche"))
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    min_progress_percent = models.PositiveSmallIntegerField(
        _("progress shown by photos before release (%)"), default=0
    )
    status = models.CharField(
        _("status"), max_length=8, choices=TrancheStatus.choices, default=TrancheStatus.PENDING
    )
    released_on = models.DateField(_("released on"), null=True, blank=True)
    released_by = models.CharField(_("released by"), max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="saemaul_tranche_unique")
        ]
        ordering = ["project", "number"]
        verbose_name = _("cash tranche")
        verbose_name_plural = _("cash tranches")

    def __str__(self) -> str:
        return f"{self.project_id} #{self.number}"


# --- materials and funds --------------------------------------------------------------------


class Depot(models.Model):
    """A materials depot kept by a county or an eup/myeon office."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    level = models.CharField(_("level"), max_length=10, choices=DepotLevel.choices)
    reserve_percent = models.PositiveSmallIntegerField(
        _("reserve (%)"), default=0, help_text=_("used for stock that belongs to no round")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("depot")
        verbose_name_plural = _("depots")

    def __str__(self) -> str:
        return self.name


class StockEntry(AppendOnlyModel):
    """One movement of a depot's stock of a material, for a round (or general stock)."""

    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="stock")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    round = models.ForeignKey(
        ProgrammeRound,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("programme round"),
    )
    movement = models.CharField(_("movement"), max_length=12, choices=StockMovement.choices)
    quantity = models.BigIntegerField(_("quantity"), help_text=_("positive in, negative out"))
    balance_after = models.BigIntegerField(_("balance after"))
    moved_on = models.DateField(_("date"))
    counterpart = models.ForeignKey(
        Depot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("other depot"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        indexes = [models.Index(fields=["depot", "material", "round"])]
        ordering = ["depot", "id"]
        verbose_name = _("stock entry")
        verbose_name_plural = _("stock ledger")

    def __str__(self) -> str:
        return f"{self.depot_id} {self.material} {self.quantity:+d}"


class Delivery(AppendOnlyModel):
    """Materials of an allocation handed from a depot to a village."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="deliveries")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="deliveries")
    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="deliveries")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    quantity = models.BigIntegerField(_("quantity"))
    delivered_on = models.DateField(_("delivered on"))
    received_by = models.CharField(_("received by"), max_length=100, blank=True)
    stock_entry = models.OneToOneField(StockEntry, on_delete=models.PROTECT, related_name="+")
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.quantity} {self.material} → {self.village_id}"


class MaterialUse(AppendOnlyModel):
    """Delivered material put into a project."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="material_use")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="material_use")
    material = models.CharField(_("material"), max_length=8, choices=Material.choices)
    quantity = models.BigIntegerField(_("quantity"))
    used_on = models.DateField(_("used on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-used_on", "-id"]
        verbose_name = _("material use")
        verbose_name_plural = _("material use")

    def __str__(self) -> str:
        return f"{self.quantity} {self.material} in {self.project_id}"


class VillageFundEntry(AppendOnlyModel):
    """One movement of the village fund (마을기금); the balance never goes below zero."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="fund")
    kind = models.CharField(_("kind"), max_length=12, choices=FundEntryKind.choices)
    amount_krw = models.BigIntegerField(_("amount (KRW)"), help_text=_("positive in, negative out"))
    balance_after_krw = models.BigIntegerField(_("balance after (KRW)"))
    entry_on = models.DateField(_("date"))
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tranche = models.OneToOneField(
        Tranche, null=True, blank=True, on_delete=models.PROTECT, related_name="fund_entry"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["village", "id"]
        verbose_name = _("village fund entry")
        verbose_name_plural = _("village fund ledger")

    def __str__(self) -> str:
        return f"{self.village_id} {self.amount_krw:+d}"


# --- evidence -------------------------------------------------------------------------------


def evidence_path(instance: EvidencePhoto, filename: str) -> str:
    """Where a photo's file is stored: by project, under a fresh name."""
    suffix = ".png" if filename.lower().endswith(".png") else ".jpg"
    return f"saemaul/evidence/{instance.project.public_id}/{uuid.uuid4().hex}{suffix}"


class EvidencePhoto(models.Model):
    """A before/during/after photo of a project, with its EXIF, location check and review."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="photos")
    stage = models.CharField(_("stage"), max_length=6, choices=PhotoStage.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=20)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    sha256 = models.CharField(max_length=64)
    exif = models.JSONField(_("EXIF data"), default=dict)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from the site (m)"), null=True, blank=True)
    threshold_m = models.PositiveIntegerField(_("distance allowed (m)"))
    flag = models.CharField(
        _("flag"), max_length=14, choices=PhotoFlag.choices, blank=True, default=PhotoFlag.NONE
    )
    progress_percent = models.PositiveSmallIntegerField(_("progress shown (%)"), default=0)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.CharField(_("uploaded by"), max_length=150)
    review = models.CharField(
        _("review"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.UNREVIEWED
    )
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        ordering = ["project", "uploaded_at"]
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self) -> str:
        return f"{self.project_id} {self.stage} {self.original_name}"

    @property
    def flagged(self) -> bool:
        return self.flag != PhotoFlag.NONE

    @property
    def counts_as_evidence(self) -> bool:
        """Unflagged and not rejected, or flagged and accepted by an officer."""
        if self.review == ReviewStatus.REJECTED:
            return False
        return not self.flagged or self.review == ReviewStatus.ACCEPTED


# --- evaluation and classification ----------------------------------------------------------


class Evaluation(models.Model):
    """A village's evaluation at the end of a round: rubric scores and whether it showed results."""

    round = models.ForeignKey(ProgrammeRound, on_delete=models.PROTECT, related_name="evaluations")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="evaluations")
    scores = models.JSONField(_("scores"), default=dict)
    total = models.PositiveIntegerField(_("total score"))
    showed_results = models.BooleanField(_("showed results"))
    evaluated_on = models.DateField(_("evaluated on"))
    evaluated_by = models.CharField(_("evaluated by"), max_length=150)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "village"], name="saemaul_evaluation_once")
        ]
        indexes = [models.Index(fields=["round", "showed_results"])]
        ordering = ["round", "-total"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.round_id} {self.village_id} {self.total}"


class VillageClassification(AppendOnlyModel):
    """A village's class in a year, with the figures it was decided on (history)."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="classifications")
    year = models.PositiveSmallIntegerField(_("year"))
    village_class = models.CharField(_("class"), max_length=12, choices=VillageClass.choices)
    previous_class = models.CharField(
        _("previous class"), max_length=12, choices=VillageClass.choices, blank=True
    )
    method = models.CharField(_("method"), max_length=8, choices=ClassMethod.choices)
    household_income_krw = models.BigIntegerField(
        _("average household income (KRW a year)"), null=True, blank=True
    )
    infrastructure_items = models.PositiveSmallIntegerField(
        _("infrastructure items completed"), null=True, blank=True
    )
    village_fund_krw = models.BigIntegerField(_("village fund (KRW)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="saemaul_class_once_a_year")
        ]
        indexes = [models.Index(fields=["year", "village_class"])]
        ordering = ["village", "year"]
        verbose_name = _("village classification")
        verbose_name_plural = _("village classifications")

    def __str__(self) -> str:
        return f"{self.village_id} {self.year} {self.village_class}"

    @property
    def promoted(self) -> bool:
        return (
            bool(self.previous_class)
            and CLASS_RANK[VillageClass(self.village_class)]
            > CLASS_RANK[VillageClass(self.previous_class)]
        )


# --- reporting chain ------------------------------------------------------------------------


class Report(models.Model):
    """A monthly report of one level of the chain, reviewed and approved by the level above.

    A village report names its village; the others name their area (eup/myeon, county,
    province). Once approved, the report and the village data of its month are locked.
    """

    level = models.CharField(_("level"), max_length=10, choices=ReportLevel.choices)
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="saemaul_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    figures = models.JSONField(_("figures"), default=dict)
    narrative = models.TextField(_("narrative"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    prepared_by = models.CharField(_("prepared by"), max_length=150)
    prepared_at = models.DateTimeField(_("prepared at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "month"],
                condition=Q(village__isnull=False),
                name="saemaul_village_report_once",
            ),
            models.UniqueConstraint(
                fields=["level", "area", "year", "month"],
                condition=Q(village__isnull=True),
                name="saemaul_area_report_once",
            ),
            models.CheckConstraint(
                condition=(Q(level="village") & Q(village__isnull=False) & Q(area__isnull=True))
                | (~Q(level="village") & Q(village__isnull=True) & Q(area__isnull=False)),
                name="saemaul_report_names_its_unit",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="saemaul_report_month"
            ),
        ]
        ordering = ["-year", "-month", "level"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        unit = self.village_id if self.village_id else self.area_id
        return f"{self.level} {unit} {self.year}-{self.month:02d}"

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def locked(self) -> bool:
        return self.status == ReportStatus.APPROVED


# --- people and reference -------------------------------------------------------------------


class SaemaulAssignment(models.Model):
    """Where a user works in the programme: a village, an eup/myeon, a county, a province or
    the centre. Pages and the API authorise with it (see ``permissions.py``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saemaul_assignment"
    )
    level = models.CharField(_("level"), max_length=10, choices=SaemaulLevel.choices)
    country = models.CharField(_("country"), max_length=2)
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.CharField(_("assigned by"), max_length=150)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="village") & Q(village__isnull=False) & Q(area__isnull=True))
                | (Q(level="central") & Q(village__isnull=True) & Q(area__isnull=True))
                | (
                    Q(level__in=["eup_myeon", "county", "province"])
                    & Q(village__isnull=True)
                    & Q(area__isnull=False)
                ),
                name="saemaul_assignment_scope",
            )
        ]
        verbose_name = _("programme role")
        verbose_name_plural = _("programme roles")

    def __str__(self) -> str:
        return f"{self.user_id} {self.level}"


class ReferenceFigure(AppendOnlyModel):
    """A documented national or local figure of the historical programme, with its source."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    names = models.JSONField(_("names"), default=dict)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20)
    period = models.CharField(_("period"), max_length=20)
    scope_names = models.JSONField(_("scope"), default=dict)
    source_title = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("reference figure")
        verbose_name_plural = _("reference figures")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.names, self.code)

    @property
    def scope(self) -> str:
        return localised(self.scope_names)
