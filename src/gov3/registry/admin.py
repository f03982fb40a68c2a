"""Django admin for registry administrators: read-only; changes go through registry commands.

Opening a person, a household, a life event or a passport in the admin, or listing them (a
search included), is a read of personal data, so it is written to the access log.
"""

from __future__ import annotations

from django.contrib import admin

from gov3.core.admin import ReadOnlyAccessLoggedAdmin, ReadOnlyAdmin
from gov3.registry.models import Address, Area, Household, LifeEvent, Passport, Person
from gov3.registry.queries import RECORD_PARTS


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_local", "name_en", "level", "country"]
    list_filter = ["country", "level"]
    search_fields = ["code", "name_local", "name_en"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAccessLoggedAdmin):
    list_display = ["name_local", "name_latin", "birth_date", "sex", "country"]
    list_filter = ["country", "sex", "disability"]
    search_fields = ["=national_id", "name_local", "name_latin"]
    show_full_result_count = False
    shows = RECORD_PARTS

    def people_in(self, obj: Person) -> list[int]:
        return [obj.pk]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAccessLoggedAdmin):
    list_display = ["id", "address", "created_on"]
    shows = "household and its members"

    def people_in(self, obj: Household) -> list[int]:
        return list(obj.members.values_list("pk", flat=True))


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ["street", "area", "postal_code"]


@admin.register(LifeEvent)
class LifeEventAdmin(ReadOnlyAccessLoggedAdmin):
    list_display = ["occurred_on", "kind", "person", "recorded_by"]
    list_filter = ["kind"]
    shows = "life event"

    def people_in(self, obj: LifeEvent) -> list[int]:
        return [obj.person_id]


@admin.register(Passport)
class PassportAdmin(ReadOnlyAccessLoggedAdmin):
    list_display = ["number", "person", "issued_on", "expires_on", "status"]
    search_fields = ["=number"]
    shows = "passport"

    def people_in(self, obj: Passport) -> list[int]:
        return [obj.person_id]
