"""Choices shared by the programme's records, and names in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localised(names: Mapping[str, str], fallback: str = "") -> str:
    """The name in the active language, else English, else any name given."""
    language = (get_language() or "en").split("-")[0]
    return names.get(language) or names.get("en") or next(iter(names.values()), fallback)


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
