"""Reads of the Saemaul programme, for pages, dashboards, the API and the commands.

Every function that takes ``area`` accepts an area of any level (province, county, eup/myeon)
or None for everything; villages are found through the area tree.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext

from gov3.core.errors import NotFoundError
from gov3.registry.models import Area, AreaLevel
from gov3.saemaul.models import (
    Allocation,
    AllocationLine,
    BodyMember,
    Delivery,
    Depot,
    EvidencePhoto,
    InfrastructureItem,
    Material,
    MaterialUse,
    PhotoStage,
    ProgrammeRound,
    Project,
    ProjectDecision,
    ProjectStatus,
    ReferenceFigure,
    Report,
    ReportLevel,
    ReportStatus,
    Resolution,
    SaemaulAssignment,
    SaemaulLevel,
    StockEntry,
    StockMovement,
    Village,
    VillageClass,
    VillageClassification,
    VillageFundEntry,
    VillageLeader,
)

# --- areas and villages ---------------------------------------------------------------------


def district_ids_under(area: Area) -> list[int]:
    """The ids of the lowest-level areas at or under ``area`` (areas are a few thousand)."""
    if area.level == AreaLevel.DISTRICT:
        return [area.pk]
    ids: list[int] = []
    frontier = [area.pk]
    while frontier:
        children = list(Area.objects.filter(parent_id__in=frontier).values_list("id", "level"))
        ids.extend(pk for pk, level in children if level == AreaLevel.DISTRICT)
        frontier = [pk for pk, level in children if level != AreaLevel.DISTRICT]
    return ids


def villages_in(area: Area | None = None, *, country: str | None = None) -> QuerySet[Village]:
    """The villages under an area (any level), or of a country, or all."""
    villages = Village.objects.all()
    if area is not None:
        villages = villages.filter(area_id__in=district_ids_under(area))
    if country is not None:
        villages = villages.filter(area__country=country)
    return villages


def get_village(code_or_public_id: str | uuid.UUID) -> Village:
    """A village by its code or public id."""
    village = (
        Village.objects.select_related("area__parent").filter(code=str(code_or_public_id)).first()
    )
    if village is None:
        try:
            village = (
                Village.objects.select_related("area__parent")
                .filter(public_id=uuid.UUID(str(code_or_public_id)))
                .first()
            )
        except ValueError:
            village = None
    if village is None:
        raise NotFoundError(gettext("No village with that code is registered."))
    return village


def get_project(public_id: str | uuid.UUID) -> Project:
    """A project by its public id."""
    try:
        return Project.objects.select_related("village__area__parent", "round", "resolution").get(
            public_id=uuid.UUID(str(public_id))
        )
    except (Project.DoesNotExist, ValueError):
        raise NotFoundError(gettext("No project with that id exists.")) from None


def get_round(code: str) -> ProgrammeRound:
    """A programme round by its code."""
    try:
        return ProgrammeRound.objects.get(code=code)
    except ProgrammeRound.DoesNotExist:
        raise NotFoundError(
            gettext("There is no programme round %(code)s.") % {"code": code}
        ) from None


def open_rounds(country: str) -> QuerySet[ProgrammeRound]:
    """Rounds a project can be attached to now."""
    return ProgrammeRound.objects.filter(country=country, status="open")


# --- rounds and allocation ------------------------------------------------------------------


def eligible_villages(round_: ProgrammeRound, area: Area | None = None) -> QuerySet[Village]:
    """The villages a round's rules admit, best first when a cap must choose.

    Ordered by the previous round's evaluation score (when results decide), then by code.
    """
    villages = villages_in(round_.area, country=round_.country)
    if area is not None:
        villages = villages.filter(area_id__in=district_ids_under(area))
    if round_.eligible_classes:
        villages = villages.filter(village_class__in=round_.eligible_classes)
    if round_.requires_result_of_id is not None:
        return villages.filter(
            evaluations__round_id=round_.requires_result_of_id,
            evaluations__showed_results=True,
        ).order_by("-evaluations__total", "code")
    return villages.order_by("code")


@dataclass(frozen=True)
class AllocationTotals:
    """What a round has allocated: villages and quantities by material."""

    villages: int
    quantities: dict[str, int]
    value_krw: int


def allocation_totals(round_: ProgrammeRound, area: Area | None = None) -> AllocationTotals:
    """Villages and quantities a round has allocated (in an area, or everywhere)."""
    allocations = Allocation.objects.filter(round=round_)
    lines = AllocationLine.objects.filter(allocation__round=round_)
    if area is not None:
        districts = district_ids_under(area)
        allocations = allocations.filter(village__area_id__in=districts)
        lines = lines.filter(allocation__village__area_id__in=districts)
    quantities = {
        row["material"]: int(row["total"])
        for row in lines.values("material").annotate(total=Sum("quantity")).order_by("material")
    }
    value = allocations.aggregate(total=Sum("value_krw"))["total"] or 0
    return AllocationTotals(allocations.count(), quantities, int(value))


@dataclass(frozen=True)
class RankedVillage:
    """A village's place in a round's evaluation."""

    rank: int
    village: Village
    total: int
    showed_results: bool


def round_rankings(round_: ProgrammeRound, area: Area | None = None) -> list[RankedVillage]:
    """Evaluated villages by total score; equal scores share a rank (1, 2, 2, 4)."""
    evaluations = round_.evaluations.select_related("village").order_by("-total", "village__code")
    if area is not None:
        evaluations = evaluations.filter(village__area_id__in=district_ids_under(area))
    ranked: list[RankedVillage] = []
    previous_total: int | None = None
    rank = 0
    for position, evaluation in enumerate(evaluations, start=1):
        if evaluation.total != previous_total:
            rank = position
            previous_total = evaluation.total
        ranked.append(
            RankedVillage(rank, evaluation.village, evaluation.total, evaluation.showed_results)
        )
    return ranked


# --- materials and funds --------------------------------------------------------------------


@dataclass(frozen=True)
class StockPosition:
    """A depot's stock of one material for one round (or of no round)."""

    balance: int
    received: int
    reserve_percent: int
    reserve: int

    @property
    def available(self) -> int:
        """What may still be issued without eating into the reserve."""
        return max(self.balance - self.reserve, 0)


def reserve_percent_for(depot: Depot, round_: ProgrammeRound | None) -> int:
    """A round's reserve rule for its stock; the depot's own rule for general stock."""
    return round_.depot_reserve_percent if round_ is not None else depot.reserve_percent


def stock_position(
    depot: Depot, material: str, round_: ProgrammeRound | None = None
) -> StockPosition:
    """Balance, receipts and the reserve (a share of everything received) of one stock."""
    entries = StockEntry.objects.filter(depot=depot, material=material, round=round_)
    totals = entries.aggregate(
        balance=Sum("quantity"),
        received=Sum(
            "quantity",
            filter=Q(movement__in=[StockMovement.RECEIPT, StockMovement.TRANSFER_IN]),
        ),
    )
    received = int(totals["received"] or 0)
    percent = reserve_percent_for(depot, round_)
    return StockPosition(
        balance=int(totals["balance"] or 0),
        received=received,
        reserve_percent=percent,
        reserve=math.ceil(received * percent / 100),
    )


def fund_balance(village: Village, on: date | None = None) -> int:
    """The village fund's balance (at the end of ``on``, or now)."""
    entries = VillageFundEntry.objects.filter(village=village)
    if on is not None:
        entries = entries.filter(entry_on__lte=on)
    return int(entries.aggregate(total=Sum("amount_krw"))["total"] or 0)


@dataclass(frozen=True)
class MaterialFlow:
    """Allocated, delivered and used quantities of one material."""

    allocated: int = 0
    delivered: int = 0
    used: int = 0

    @property
    def in_village(self) -> int:
        """Delivered but not yet used."""
        return self.delivered - self.used


def _sum_by_material(rows: QuerySet[Any]) -> dict[str, int]:
    return {
        row["material"]: int(row["total"])
        for row in rows.values("material").annotate(total=Sum("quantity")).order_by("material")
    }


def materials_flow(
    area: Area | None = None,
    *,
    village: Village | None = None,
    round_: ProgrammeRound | None = None,
) -> dict[str, MaterialFlow]:
    """Allocated vs delivered vs used, by material, for a village, an area or everything."""
    allocated = AllocationLine.objects.all()
    delivered = Delivery.objects.all()
    used = MaterialUse.objects.all()
    if village is not None:
        allocated = allocated.filter(allocation__village=village)
        delivered = delivered.filter(village=village)
        used = used.filter(village=village)
    elif area is not None:
        districts = district_ids_under(area)
        allocated = allocated.filter(allocation__village__area_id__in=districts)
        delivered = delivered.filter(village__area_id__in=districts)
        used = used.filter(village__area_id__in=districts)
    if round_ is not None:
        allocated = allocated.filter(allocation__round=round_)
        delivered = delivered.filter(allocation__round=round_)
        used = used.filter(project__round=round_)
    a, d, u = (_sum_by_material(q) for q in (allocated, delivered, used))
    return {
        material: MaterialFlow(a.get(material, 0), d.get(material, 0), u.get(material, 0))
        for material in Material.values
        if material in a or material in d or material in u
    }


def allocation_remaining(allocation: Allocation, material: str) -> int:
    """How much of an allocation's material has not been delivered yet."""
    line = allocation.lines.filter(material=material).first()
    if line is None:
        return 0
    delivered = allocation.deliveries.filter(material=material).aggregate(total=Sum("quantity"))
    return line.quantity - int(delivered["total"] or 0)


# --- projects and evidence ------------------------------------------------------------------


def project_progress(project: Project) -> int:
    """The progress shown by photos that count as evidence (during/after), in percent."""
    best = 0
    for photo in project.photos.filter(stage__in=[PhotoStage.DURING, PhotoStage.AFTER]):
        if photo.counts_as_evidence:
            best = max(best, photo.progress_percent)
    return best


def projects_in(area: Area | None = None) -> QuerySet[Project]:
    """The projects of the villages under an area."""
    projects = Project.objects.select_related("village")
    if area is not None:
        projects = projects.filter(village__area_id__in=district_ids_under(area))
    return projects


def projects_by_status(area: Area | None = None) -> dict[str, int]:
    """How many projects are in each status (every status listed, zeros included)."""
    counts = dict.fromkeys(ProjectStatus.values, 0)
    for row in projects_in(area).values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = int(row["n"])
    return counts


def flagged_photos(area: Area | None = None) -> QuerySet[EvidencePhoto]:
    """Photos flagged and not yet reviewed, for the officers' queue."""
    photos = EvidencePhoto.objects.exclude(flag="").filter(review="unreviewed")
    if area is not None:
        photos = photos.filter(project__village__area_id__in=district_ids_under(area))
    return photos.select_related("project__village")


# --- classification -------------------------------------------------------------------------


def class_counts_by_year(area: Area | None = None) -> dict[int, dict[str, int]]:
    """For each classified year, the number of villages in each class (zeros included)."""
    rows = VillageClassification.objects.all()
    if area is not None:
        rows = rows.filter(village__area_id__in=district_ids_under(area))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(VillageClass.values, 0))
    for row in rows.values("year", "village_class").annotate(n=Count("id")).order_by("year"):
        counts[row["year"]][row["village_class"]] = int(row["n"])
    return dict(counts)


def current_class_counts(area: Area | None = None) -> dict[str, int]:
    """The villages of each class now."""
    counts = dict.fromkeys(VillageClass.values, 0)
    for row in villages_in(area).values("village_class").annotate(n=Count("id")).order_by():
        counts[row["village_class"]] = int(row["n"])
    return counts


def promotions(year: int, area: Area | None = None) -> list[VillageClassification]:
    """The villages whose class in ``year`` is higher than the year before."""
    rows = VillageClassification.objects.filter(year=year).exclude(previous_class="")
    if area is not None:
        rows = rows.filter(village__area_id__in=district_ids_under(area))
    return [row for row in rows.select_related("village") if row.promoted]


def class_history(village: Village) -> QuerySet[VillageClassification]:
    """A village's classes year by year."""
    return village.classifications.order_by("year")


# --- a village's page -----------------------------------------------------------------------


@dataclass(frozen=True)
class VillageProfile:
    """Everything a village page shows."""

    village: Village
    checklist: list[tuple[str, str, bool, int | None]]
    leaders: list[VillageLeader]
    committee: list[BodyMember]
    womens_association: list[BodyMember]
    fund_balance_krw: int
    materials: dict[str, MaterialFlow]
    classes: list[VillageClassification]
    projects: list[Project]
    allocations: list[Allocation] = field(default_factory=list)

    @property
    def infrastructure_done(self) -> int:
        return sum(1 for _, _, done, _ in self.checklist if done)


def village_profile(village: Village) -> VillageProfile:
    """A village's profile: checklist (every item, done or not), people, money, materials."""
    rows = {row.item: row for row in village.infrastructure.all()}
    checklist = [
        (
            item.value,
            str(item.label),
            bool(rows[item.value].done) if item.value in rows else False,
            rows[item.value].completed_year if item.value in rows else None,
        )
        for item in InfrastructureItem
    ]
    members = list(village.body_members.filter(until__isnull=True))
    return VillageProfile(
        village=village,
        checklist=checklist,
        leaders=list(village.leaders.filter(until__isnull=True).select_related("slot")),
        committee=[m for m in members if m.body == "development_committee"],
        womens_association=[m for m in members if m.body == "womens_association"],
        fund_balance_krw=fund_balance(village),
        materials=materials_flow(village=village),
        classes=list(class_history(village)),
        projects=list(village.projects.order_by("-created_at")),
        allocations=list(village.allocations.select_related("round").prefetch_related("lines")),
    )


def infrastructure_done_count(village: Village, year: int) -> int:
    """Checklist items done by the end of ``year`` (done before the programme counts)."""
    return (
        village.infrastructure.filter(done=True)
        .filter(Q(completed_year__isnull=True) | Q(completed_year__lte=year))
        .count()
    )


# --- the reporting chain and roles ----------------------------------------------------------

#: The report level of an area, by the area's level.
AREA_REPORT_LEVEL = {
    AreaLevel.DISTRICT: ReportLevel.EUP_MYEON,
    AreaLevel.MUNICIPALITY: ReportLevel.COUNTY,
    AreaLevel.PROVINCE: ReportLevel.PROVINCE,
}


def child_reports(report: Report) -> QuerySet[Report]:
    """The reports one level down for the same month (villages of an eup/myeon, …)."""
    if report.level == ReportLevel.VILLAGE or report.area is None:
        return Report.objects.none()
    same_month = Report.objects.filter(year=report.year, month=report.month)
    if report.level == ReportLevel.EUP_MYEON:
        return same_month.filter(level=ReportLevel.VILLAGE, village__area=report.area)
    return same_month.filter(area__parent=report.area).exclude(level=ReportLevel.VILLAGE)


def assignment_of(user: object) -> SaemaulAssignment | None:
    """A user's place in the programme, if any."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return None
    return (
        SaemaulAssignment.objects.select_related("village__area", "area").filter(user_id=pk).first()
    )


def work_queue(user: object) -> QuerySet[Project]:
    """Projects waiting for this user's decision: eup/myeon checks, county approvals."""
    assignment = assignment_of(user)
    if assignment is None or assignment.area is None:
        return Project.objects.none()
    villages = villages_in(assignment.area)
    if assignment.level == SaemaulLevel.EUP_MYEON:
        return Project.objects.filter(village__in=villages, status=ProjectStatus.SUBMITTED)
    if assignment.level == SaemaulLevel.COUNTY:
        return Project.objects.filter(village__in=villages, status=ProjectStatus.CHECKED)
    return Project.objects.none()


def reports_to_review(user: object) -> QuerySet[Report]:
    """Submitted reports of the level below this user's, in their area."""
    assignment = assignment_of(user)
    if assignment is None:
        return Report.objects.none()
    submitted = Report.objects.filter(status=ReportStatus.SUBMITTED)
    if assignment.level == SaemaulLevel.EUP_MYEON and assignment.area is not None:
        return submitted.filter(level=ReportLevel.VILLAGE, village__area=assignment.area)
    if assignment.level in (SaemaulLevel.COUNTY, SaemaulLevel.PROVINCE) and assignment.area:
        return submitted.filter(area__parent=assignment.area).exclude(level=ReportLevel.VILLAGE)
    if assignment.level == SaemaulLevel.CENTRAL:
        return submitted.filter(
            level=ReportLevel.PROVINCE, area__country=assignment.country, area__parent__isnull=True
        )
    return Report.objects.none()


def reference_figures() -> QuerySet[ReferenceFigure]:
    """The documented historical figures, in their order, with sources."""
    return ReferenceFigure.objects.order_by("position", "code")


# --- figures of the monthly reports ---------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def village_month_figures(village: Village, year: int, month: int) -> dict[str, int]:
    """What a village did in a month, as whole numbers (the body of its monthly report)."""
    first, last = month_bounds(year, month)
    assemblies = village.assemblies.filter(held_on__range=(first, last))
    attendance = assemblies.aggregate(men=Sum("attended_men"), women=Sum("attended_women"))
    decisions = ProjectDecision.objects.filter(
        project__village=village, at__date__range=(first, last)
    ).aggregate(
        submitted=Count("id", filter=Q(action="submitted")),
        approved=Count("id", filter=Q(action="approved")),
    )
    photos = EvidencePhoto.objects.filter(
        project__village=village, uploaded_at__date__range=(first, last)
    ).aggregate(total=Count("id"), flagged=Count("id", filter=~Q(flag="")))
    figures = {
        "assemblies": assemblies.count(),
        "attended_men": int(attendance["men"] or 0),
        "attended_women": int(attendance["women"] or 0),
        "resolutions_adopted": Resolution.objects.filter(
            assembly__in=assemblies, adopted=True
        ).count(),
        "projects_submitted": int(decisions["submitted"]),
        "projects_approved": int(decisions["approved"]),
        "projects_completed": village.projects.filter(completed_on__range=(first, last)).count(),
        "photos": int(photos["total"]),
        "photos_flagged": int(photos["flagged"]),
    }
    for material, total in _sum_by_material(
        village.deliveries.filter(delivered_on__range=(first, last))
    ).items():
        figures[f"delivered_{material}"] = total
    for material, total in _sum_by_material(
        village.material_use.filter(used_on__range=(first, last))
    ).items():
        figures[f"used_{material}"] = total
    fund = village.fund.filter(entry_on__range=(first, last))
    money = fund.aggregate(
        into=Sum("amount_krw", filter=Q(amount_krw__gt=0)),
        out=Sum("amount_krw", filter=Q(amount_krw__lt=0)),
    )
    figures["fund_in_krw"] = int(money["into"] or 0)
    figures["fund_out_krw"] = -int(money["out"] or 0)
    figures["fund_balance_krw"] = fund_balance(village, last)
    return figures


def expected_children(level: str, area: Area) -> int:
    """How many reports one level down an area's report should gather."""
    if level == ReportLevel.EUP_MYEON:
        return Village.objects.filter(area=area).count()
    return Area.objects.filter(parent=area).count()


def combined_figures(report: Report) -> dict[str, int]:
    """An area report's figures: the sums of its approved child reports, and their coverage."""
    assert report.area is not None
    children = child_reports(report)
    approved = list(children.filter(status=ReportStatus.APPROVED).values_list("figures", flat=True))
    totals: dict[str, int] = defaultdict(int)
    for figures in approved:
        for key, value in figures.items():
            if key not in ("reports_expected", "reports_approved") and isinstance(value, int):
                totals[key] += value
    totals["reports_expected"] = expected_children(report.level, report.area)
    totals["reports_approved"] = len(approved)
    return dict(totals)
