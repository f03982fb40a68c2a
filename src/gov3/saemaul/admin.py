"""The programme's tables in the admin: visible to administrators, never editable.

Every change goes through a `do_*` command (audited); the admin only looks.
"""

from __future__ import annotations

from django.contrib import admin

from gov3.core.admin import ReadOnlyAccessLoggedAdmin, ReadOnlyAdmin
from gov3.saemaul.models import (
    Allocation,
    AllocationLine,
    Assembly,
    BodyMember,
    ClassCriterion,
    Delivery,
    Depot,
    Evaluation,
    EvidencePhoto,
    LeaderSlot,
    MaterialUse,
    PackageLine,
    ProgrammePolicy,
    ProgrammeRound,
    Project,
    ProjectDecision,
    ProjectLine,
    ReferenceFigure,
    Report,
    Resolution,
    RoundFunding,
    Rubric,
    RubricCriterion,
    SaemaulAssignment,
    StockEntry,
    Tranche,
    TrancheRule,
    Village,
    VillageAnnualFigures,
    VillageClassification,
    VillageFundEntry,
    VillageInfrastructure,
    VillageLeader,
)


@admin.register(Village)
class VillageAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_local", "area", "village_class", "households", "population"]
    list_filter = ["village_class"]
    search_fields = ["=code", "name_local", "name_en"]
    show_full_result_count = False


@admin.register(ProgrammeRound)
class ProgrammeRoundAdmin(ReadOnlyAdmin):
    list_display = ["code", "year", "status", "max_villages", "package_value_krw"]
    list_filter = ["status", "country"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["round", "village", "value_krw", "allocated_at"]
    list_filter = ["round"]
    show_full_result_count = False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["title", "village", "category", "status", "approved_grant_krw", "version"]
    list_filter = ["status", "category"]
    search_fields = ["title", "=village__code"]


@admin.register(ProjectDecision)
class ProjectDecisionAdmin(ReadOnlyAdmin):
    list_display = ["at", "project", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]


@admin.register(EvidencePhoto)
class EvidencePhotoAdmin(ReadOnlyAdmin):
    list_display = ["project", "stage", "flag", "distance_m", "review", "uploaded_at"]
    list_filter = ["stage", "flag", "review"]


@admin.register(StockEntry)
class StockEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "moved_on",
        "depot",
        "material",
        "round",
        "movement",
        "quantity",
        "balance_after",
    ]
    list_filter = ["material", "movement"]


@admin.register(VillageFundEntry)
class VillageFundEntryAdmin(ReadOnlyAdmin):
    list_display = ["entry_on", "village", "kind", "amount_krw", "balance_after_krw"]
    list_filter = ["kind"]


@admin.register(VillageClassification)
class VillageClassificationAdmin(ReadOnlyAdmin):
    list_display = ["year", "village", "village_class", "previous_class", "method"]
    list_filter = ["year", "village_class", "method"]
    show_full_result_count = False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["year", "month", "level", "village", "area", "status", "reviewed_by"]
    list_filter = ["level", "status"]


@admin.register(ReferenceFigure)
class ReferenceFigureAdmin(ReadOnlyAdmin):
    list_display = ["code", "value", "unit", "period", "source_title"]


@admin.register(Depot)
class DepotAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "area", "reserve_percent"]


for model in (
    AllocationLine,
    Assembly,
    BodyMember,
    ClassCriterion,
    Delivery,
    Evaluation,
    LeaderSlot,
    MaterialUse,
    PackageLine,
    ProgrammePolicy,
    ProjectLine,
    Resolution,
    RoundFunding,
    Rubric,
    RubricCriterion,
    SaemaulAssignment,
    Tranche,
    TrancheRule,
    VillageAnnualFigures,
    VillageInfrastructure,
):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(VillageLeader)
class VillageLeaderAdmin(ReadOnlyAccessLoggedAdmin):
    """Village leaders are registered people: opening or listing them is a logged read."""

    shows = "village leader"

    def people_in(self, obj: VillageLeader) -> list[int]:
        return [obj.person_id] if obj.person_id else []
