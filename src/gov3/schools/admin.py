"""Administration of school services: read-only (changes go through the `do_*` commands and
`gov3 schools load`); the pages of learners and enrolments write the access log."""

from __future__ import annotations

from django.contrib import admin

from gov3.core.admin import ReadOnlyAccessLoggedAdmin, ReadOnlyAdmin
from gov3.schools.models import (
    ClassroomClient,
    DistrictEntry,
    Enrolment,
    EntryRound,
    Learner,
    Placement,
    School,
)


@admin.register(School)
class SchoolAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_local", "name_en", "level", "area", "capacity", "entry_places")
    list_filter = ("country", "level")
    search_fields = ("code", "name_local", "name_en")


@admin.register(DistrictEntry)
class DistrictEntryAdmin(ReadOnlyAdmin):
    list_display = ("school_year", "area", "priority", "school")
    list_filter = ("school_year",)


@admin.register(Learner)
class LearnerAdmin(ReadOnlyAccessLoggedAdmin):
    list_display = ("number", "country", "registered_at")
    search_fields = ("number",)
    shows = "learner record"

    def people_in(self, obj: Learner) -> list[int]:
        return [obj.person_id]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAccessLoggedAdmin):
    list_display = ("learner", "school", "school_year", "grade", "class_name", "ended_on")
    list_filter = ("school_year", "end_reason")
    shows = "enrolment"

    def people_in(self, obj: Enrolment) -> list[int]:
        return [obj.learner.person_id]


@admin.register(EntryRound)
class EntryRoundAdmin(ReadOnlyAdmin):
    list_display = ("country", "school_year", "reference_date", "built_at")


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAccessLoggedAdmin):
    list_display = ("round", "school", "reason", "status", "request_kind")
    list_filter = ("status", "reason")
    shows = "school-entry placement"

    def people_in(self, obj: Placement) -> list[int]:
        return [p for p in (obj.child_id, obj.guardian_id) if p is not None]


@admin.register(ClassroomClient)
class ClassroomClientAdmin(ReadOnlyAdmin):
    """The classroom systems registered with `gov3 schools classroom-client`."""

    list_display = ("application", "school", "scopes")
