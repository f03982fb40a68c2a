"""Participation in the administration screens: read-only (changes go through the commands).
Petitions, public petitions and information-disclosure requests hold people's data: every
page and list of them writes the access log for the people shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gov3.core.admin import ReadOnlyAccessLoggedAdmin, ReadOnlyAdmin
from gov3.participation.models import Consultation, DisclosureRequest, Petition, PublicPetition


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAccessLoggedAdmin):
    shows = "petition"
    list_display = ["public_id", "agency", "kind", "category", "status", "filed_on", "due_on"]
    list_filter = ["status", "kind"]
    list_select_related = ["agency"]
    exclude = ["signature"]
    show_full_result_count = False

    def people_in(self, obj: Any) -> list[int]:
        return [obj.petitioner_id]


@admin.register(PublicPetition)
class PublicPetitionAdmin(ReadOnlyAccessLoggedAdmin):
    shows = "public petition (who opened it)"
    list_display = ["title", "agency", "status", "signature_count", "threshold", "closes_on"]
    list_select_related = ["agency"]
    list_filter = ["status"]

    def people_in(self, obj: Any) -> list[int]:
        return [obj.opened_by_id]


@admin.register(DisclosureRequest)
class DisclosureRequestAdmin(ReadOnlyAccessLoggedAdmin):
    shows = "information-disclosure request"
    list_display = ["public_id", "agency", "received_on", "due_on", "decision"]
    list_select_related = ["agency"]
    list_filter = ["decision"]
    show_full_result_count = False

    def people_in(self, obj: Any) -> list[int]:
        return [obj.requester_id]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["title", "service_id", "agency", "status", "opens_on", "closes_on"]
    list_filter = ["status"]
