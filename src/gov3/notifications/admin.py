"""Notifications and e-mail deliveries in the admin: visible to administrators, never editable.

Every change goes through a `do_*` command (audited); the admin only looks, e.g. at why an
e-mail failed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from gov3.core.admin import ReadOnlyAccessLoggedAdmin
from gov3.notifications.models import EmailDelivery, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAccessLoggedAdmin):
    shows = "notification"

    def people_in(self, obj: Any) -> list[int]:
        return [obj.person_id]

    list_display = ["created_at", "person", "kind", "priority", "key", "in_app", "read_at"]
    list_filter = ["kind", "priority"]
    search_fields = ["=key"]
    show_full_result_count = False


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAccessLoggedAdmin):
    shows = "e-mail delivery"

    def people_in(self, obj: Any) -> list[int]:
        return [obj.person_id]

    list_display = ["created_at", "person", "priority", "status", "reason", "due_at", "attempts"]
    list_filter = ["status", "reason"]
    show_full_result_count = False


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAccessLoggedAdmin):
    shows = "notification preferences"

    def people_in(self, obj: Any) -> list[int]:
        return [obj.person_id]

    list_display = ["person", "digest", "quiet_start", "quiet_end", "language", "updated_at"]
    list_filter = ["digest", "language"]
