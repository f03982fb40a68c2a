"""Accounts in the admin (administrators manage officers' accounts here)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice

from gov3.accounts.enrolment import DEFAULT_HOURS, do_make_enrolment_link, do_reset_totp
from gov3.accounts.models import Agency, OfficerPost, User
from gov3.core.admin import AccessLoggedAdmin, AuditedAdmin, ReadOnlyAdmin

# django-otp's static codes are kept in clear; gov3's recovery codes are hashed (ADR 0029).
# The app stays installed for the migration that hashed the old codes; none are made in it.
if admin.site.is_registered(StaticDevice):
    admin.site.unregister(StaticDevice)


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
    actions = ["make_enrolment_links", "reset_totp"]
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

    @admin.action(
        description=_("Make one-time enrolment links for the authenticator app"),
        permissions=["manage_second_factors"],
    )
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
            self._show_link(request, user, secret)

    def _show_link(self, request: HttpRequest, user: User, secret: str) -> None:
        link = request.build_absolute_uri(reverse("identity:officer_enrol", args=[secret]))
        self.message_user(
            request,
            gettext("Enrolment link for %(user)s (works once, %(hours)s hours): %(link)s")
            % {"user": user.get_username(), "link": link, "hours": DEFAULT_HOURS},
            messages.WARNING,
        )

    def has_manage_second_factors_permission(self, request: HttpRequest) -> bool:
        """Only superusers make enrolment links or reset a second factor: a link with the
        officer's password is a way into the account, so whoever makes one could take it
        over."""
        return bool(getattr(request.user, "is_superuser", False))

    @admin.action(
        description=_("Reset the authenticator app (and make a new enrolment link)"),
        permissions=["manage_second_factors"],
    )
    def reset_totp(self, request: HttpRequest, queryset: QuerySet[User]) -> TemplateResponse | None:
        """After a confirmation page: each selected officer's authenticator app and recovery
        codes are deleted and a new enrolment link is shown once; audited."""
        officers = []
        for user in queryset.order_by("username"):
            if user.is_officer and user.is_active:
                officers.append(user)
            else:
                self.message_user(
                    request,
                    gettext("%(user)s was not reset: not an active officer.")
                    % {"user": user.get_username()},
                    messages.ERROR,
                )
        if not officers:
            return None
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/accounts/user/reset_totp_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "officers": officers,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        for user in officers:
            secret = do_reset_totp(request.user.get_username(), user)
            self.message_user(
                request,
                gettext("The authenticator app of %(user)s was reset.")
                % {"user": user.get_username()},
                messages.SUCCESS,
            )
            self._show_link(request, user, secret)
        return None


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    """Agencies; every change (e.g. which services it decides, its area) is audited."""

    list_display = ["code", "name_local", "name_en", "country", "area"]
    raw_id_fields = ["area"]


@admin.register(OfficerPost)
class OfficerPostAdmin(ReadOnlyAdmin):
    """Officers' dated posts (ADR 0036), written by personnel orders only."""

    list_display = ["user", "agency", "role", "starts_on", "ends_on", "reference"]
    list_filter = ["role"]
    list_select_related = ["user", "agency"]
