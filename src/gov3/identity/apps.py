from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

#: django-oauth-toolkit's names in the admin (its catalogues have no Korean or Vietnamese),
#: listed for `makemessages`; made lazy at start-up as gov3.core.admin_names does for others.
TOOLKIT_NAMES = [
    gettext_noop("client ID"),
    gettext_noop("client type"),
    gettext_noop("authorization grant type"),
]


class IdentityConfig(AppConfig):
    name = "gov3.identity"
    label = "identity"
    verbose_name = _("Digital identity and passkeys")

    def ready(self) -> None:
        from django.apps import apps  # noqa: PLC0415 - the registry is ready only now
        from django.utils import translation  # noqa: PLC0415

        toolkit = apps.get_app_config("oauth2_provider")
        toolkit.verbose_name = _("Client systems (OpenID provider)")
        application = apps.get_model("oauth2_provider", "Application")
        meta = application._meta
        meta.verbose_name = _("client system")
        meta.verbose_name_plural = _("client systems")
        fields = [
            meta.get_field(name)
            for name in ("client_id", "client_type", "authorization_grant_type")
        ]
        # django-otp's own field names on the officers' passkey device.
        fields.append(apps.get_model("identity", "OfficerPasskey")._meta.get_field("name"))
        for field in fields:
            with translation.override("en"):
                english = str(field.verbose_name)
            field.verbose_name = _(english)
