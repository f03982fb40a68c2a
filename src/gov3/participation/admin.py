"""Participation in the administration screens: read-only lists (changes go through the
commands)."""

from django.contrib import admin

from gov3.participation.models import Consultation, DisclosureRequest, Petition, PublicPetition


@admin.register(Petition, PublicPetition, DisclosureRequest, Consultation)
class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
