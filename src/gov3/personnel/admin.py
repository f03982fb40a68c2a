"""Personnel administration in the administration screens: read-only (changes go through the
personnel orders and commands). Staff records, appointments and orders name people: every
page and list of them writes the access log for the people shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import pgettext_lazy

from gov3.core.admin import ReadOnlyAccessLoggedAdmin, ReadOnlyAdmin
from gov3.personnel.models import Appointment, PersonnelOrder, Position, StaffRecord, Unit


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_local", "agency", "parent", "authorised_headcount", "closed_on"]
    list_select_related = ["agency", "parent"]


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["code", "title_local", "unit", "grade_high", "grade_low", "position_type"]
    list_filter = ["position_type", "gov3_role"]
    list_select_related = ["unit"]


@admin.register(StaffRecord)
class StaffRecordAdmin(ReadOnlyAccessLoggedAdmin):
    shows = "staff record"
    list_display = ["employee_number", "country", "entry", "entered_on"]
    raw_id_fields = ["person", "account"]

    def people_in(self, obj: Any) -> list[int]:
        return [obj.person_id]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAccessLoggedAdmin):
    shows = "appointment"
    list_display = ["record", "position", "civil_service_grade", "step", "starts_on", "ends_on"]
    list_select_related = ["record", "position"]

    # "grade" alone names a school year's grade too (schools): this one says which it is.
    @admin.display(description=pgettext_lazy("civil service", "grade"), ordering="grade")
    def civil_service_grade(self, obj: Appointment) -> str:
        return obj.grade

    def people_in(self, obj: Any) -> list[int]:
        return [obj.record.person_id]


@admin.register(PersonnelOrder)
class PersonnelOrderAdmin(ReadOnlyAccessLoggedAdmin):
    shows = "personnel order"
    list_display = ["number", "kind", "status", "effective_on", "agency"]
    list_filter = ["kind", "status"]
    list_select_related = ["agency"]

    def people_in(self, obj: Any) -> list[int]:
        return [obj.record.person_id]
