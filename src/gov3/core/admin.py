"""The audit and access logs in the admin: visible to administrators, never editable."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gov3.core.models import AccessLogEntry, AuditEntry


class LogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Append-only logs: no add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(LogAdmin):
    list_display = ["id", "at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(LogAdmin):
    list_display = ["at", "actor_label", "agency", "subject_id", "purpose", "channel"]
    list_filter = ["purpose", "channel"]
