"""The audit and access logs in the admin: visible to administrators, never editable."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from gov3.core.access import log_access
from gov3.core.audit import record_audit
from gov3.core.models import AccessChannel, AccessLogEntry, AccessPurpose, AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Look, never change: logs are append-only and registry writes are named commands."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AccessLoggedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin of people's data: every object page and every list page (a search included)
    writes the access log for each person it shows, as an administrator's read for registry
    administration. Subclasses say whose data an object holds (`people_in`)."""

    #: What the page shows, for the access log.
    shows = "record"

    def people_in(self, obj: Any) -> list[int]:
        """The registry ids of the people whose data `obj` holds."""
        raise NotImplementedError

    def _log(self, request: HttpRequest, people: list[int], what: str) -> None:
        if people:
            log_access(
                subject_ids=people,
                actor_id=request.user.pk,
                actor_label=request.user.get_username(),
                actor_role="administrator",
                agency="registry administration",
                purpose=AccessPurpose.REGISTRY_ADMINISTRATION,
                channel=AccessChannel.ADMIN,
                what=what,
            )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if response.status_code == 200 and original is not None:
            self._log(request, self.people_in(original), self.shows)
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            people = [pid for obj in changelist.result_list for pid in self.people_in(obj)]
            self._log(request, people, f"admin list: {self.shows}")
        return response


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin whose additions, changes and deletions are written to the audit log (who, what,
    and the new values of the fields that changed; never a password or secret)."""

    #: Fields whose values are never written to the audit log (only that they changed).
    secret_fields = frozenset({"password", "key", "secret"})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = {
            name: "(changed)" if name in self.secret_fields else form.cleaned_data.get(name)
            for name in form.changed_data
        }
        self._audit(request, "admin.change" if change else "admin.add", obj, changed)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit(request, "admin.delete", obj, {})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self._audit(request, "admin.delete", obj, {})
        super().delete_queryset(request, queryset)

    def _audit(self, request: HttpRequest, action: str, obj: Any, changed: dict[str, Any]) -> None:
        with transaction.atomic():
            record_audit(
                actor=f"admin:{request.user.get_username()}",
                action=action,
                target_type=obj._meta.label_lower,
                target_id=obj.pk,
                data={"object": str(obj)[:200], "changed": changed},
            )


class ReadOnlyAccessLoggedAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    """Read-only, and every read of a person's data logged."""


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "agency", "subject_id", "purpose", "channel"]
    list_filter = ["purpose", "channel"]
