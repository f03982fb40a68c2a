"""Accounts in the admin (administrators manage officers' accounts here)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gov3.accounts.enrolment import DEFAULT_HOURS, do_make_enrolment_link
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
    actions = ["make_enrolment_links"]
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

    @admin.action(description=_("Make one-time enrolment links for the authenticator app"))
    def make_enrolment_links(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """A link per selected officer, shown to the administrator once (the officer enrols
        their authenticator app with it); other accounts are skipped."""
        for user in queryset.order_by("username"):
            if not user.is_officer or not user.is_active:
                self.message_user(
                    request,
                    gettext("No link for %(user)s: not an active officer.")
                    % {"user": user.get_username()},
                    messages.ERROR,
                )
                continue
            secret = do_make_enrolment_link(request.user.get_username(), user)
            link = request.build_absolute_uri(reverse("identity:officer_enrol", args=[secret]))
            self.message_user(
                request,
                gettext("Enrolment link for %(user)s (works once, %(hours)s hours): %(link)s")
                % {"user": user.get_username(), "link": link, "hours": DEFAULT_HOURS},
                messages.WARNING,
            )


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    """Agencies; every change (e.g. which services it decides, its area) is audited."""

    list_display = ["code", "name_local", "name_en", "country", "area"]
    raw_id_fields = ["area"]
