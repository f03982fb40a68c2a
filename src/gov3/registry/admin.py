"""Django admin for registry administrators: read-only; changes go through registry commands.

Opening a person in the admin is a read of personal data, so it is written to the access log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from gov3.core.access import log_access
from gov3.core.admin import ReadOnlyAdmin
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.registry.models import Address, Area, Household, LifeEvent, Passport, Person
from gov3.registry.queries import RECORD_PARTS


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_local", "name_en", "level", "country"]
    list_filter = ["country", "level"]
    search_fields = ["code", "name_local", "name_en"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name_local", "name_latin", "birth_date", "sex", "country"]
    list_filter = ["country", "sex", "disability"]
    search_fields = ["=national_id", "name_local", "name_latin"]
    show_full_result_count = False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and object_id.isdigit():
            log_access(
                subject_ids=[int(object_id)],
                actor_id=request.user.pk,
                actor_label=request.user.get_username(),
                actor_role="administrator",
                agency="registry administration",
                purpose=AccessPurpose.REGISTRY_ADMINISTRATION,
                channel=AccessChannel.ADMIN,
                what=RECORD_PARTS,
            )
        return response


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["id", "address", "created_on"]


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ["street", "area", "postal_code"]


@admin.register(LifeEvent)
class LifeEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "kind", "person", "recorded_by"]
    list_filter = ["kind"]


@admin.register(Passport)
class PassportAdmin(ReadOnlyAdmin):
    list_display = ["number", "person", "issued_on", "expires_on", "status"]
    search_fields = ["=number"]
