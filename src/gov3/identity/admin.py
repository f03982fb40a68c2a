"""National digital ID links and passkeys in the admin: visible to administrators, never
editable (a citizen adds and removes their own passkeys; links are made by signing in). Every
read is logged for the person whose account it is."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from oauth2_provider.models import (
    AccessToken,
    Application,
    DeviceGrant,
    Grant,
    IDToken,
    RefreshToken,
)

from gov3.core.admin import AuditedAdmin, ReadOnlyAccessLoggedAdmin
from gov3.identity.models import NationalIdLink, OfficerPasskey, Passkey


class _AccountsAdmin(ReadOnlyAccessLoggedAdmin):
    list_select_related = ["user"]

    def people_in(self, obj: Any) -> list[int]:
        return [obj.user.person_id] if obj.user.person_id else []


@admin.register(NationalIdLink)
class NationalIdLinkAdmin(_AccountsAdmin):
    shows = "national digital ID link"
    list_display = ["user", "issuer", "linked_at", "last_sign_in_at"]
    exclude = ["subject"]


@admin.register(Passkey)
class PasskeyAdmin(_AccountsAdmin):
    shows = "passkey"
    list_display = ["user", "name", "created_at", "last_used_at", "sign_count"]
    exclude = ["credential_id", "public_key"]


# gov3 as an OpenID provider: administrators register client systems (each change audited);
# tokens and grants are the citizens' and stay out of the admin.
for _model in (AccessToken, Grant, IDToken, RefreshToken, DeviceGrant):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
if admin.site.is_registered(Application):
    admin.site.unregister(Application)


@admin.register(Application)
class ClientSystemAdmin(AuditedAdmin):
    list_display = ["name", "client_id", "client_type", "authorization_grant_type"]
    fields = [
        "name",
        "client_id",
        "client_secret",
        "hash_client_secret",
        "client_type",
        "authorization_grant_type",
        "redirect_uris",
        "post_logout_redirect_uris",
        "algorithm",
        "skip_authorization",
    ]
    secret_fields = AuditedAdmin.secret_fields | {"client_secret"}


@admin.register(OfficerPasskey)
class OfficerPasskeyAdmin(AuditedAdmin):
    """An administrator resets an officer's passkey (a lost device) by deleting it: audited.
    Passkeys are made only by their officer."""

    list_display = ["user", "name", "created_at", "last_used_at"]
    fields = ["user", "name", "created_at", "last_used_at"]
    readonly_fields = ["user", "name", "created_at", "last_used_at"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
