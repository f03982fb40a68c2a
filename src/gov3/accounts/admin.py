"""Accounts in the admin (administrators manage officers' accounts here)."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse

from gov3.accounts.models import Agency, User
from gov3.core.admin import AccessLoggedAdmin, AuditedAdmin


@admin.register(User)
class Gov3UserAdmin(AuditedAdmin, AccessLoggedAdmin, UserAdmin):  # type: ignore[type-arg]
    """Accounts; every change audited, and a citizen account's page is a read of their person."""

    shows = "account"

    def people_in(self, obj: Any) -> list[int]:
        return [obj.person_id] if obj.person_id else []

    list_display = ["username", "kind", "agency", "role", "is_active"]
    list_filter = ["kind", "role", "is_active"]
    raw_id_fields = ["person"]
    # Shown, not edited: sign-in dates are facts, and Django's split date widgets and its
    # two-box permission picker have no labels a screen reader can use (issue 14, item 16).
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ()
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("gov3", {"fields": ("kind", "person", "agency", "role")}),
    )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Setting someone's password is a change like any other: audited (that it changed,
        never the password)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None:
                self._audit(request, "admin.change", user, {"password": "(changed)"})
        return response


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    """Agencies; every change (e.g. which services it decides, its area) is audited."""

    list_display = ["code", "name_local", "name_en", "country", "area"]
    raw_id_fields = ["area"]
