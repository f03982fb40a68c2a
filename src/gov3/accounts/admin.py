"""Accounts in the admin (administrators manage officers' accounts here)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from gov3.accounts.models import Agency, User


@admin.register(User)
class Gov3UserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "kind", "agency", "role", "is_active"]
    list_filter = ["kind", "role", "is_active"]
    raw_id_fields = ["person"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("gov3", {"fields": ("kind", "person", "agency", "role")}),
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_local", "name_en", "country"]
