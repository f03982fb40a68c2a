from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "gov3.identity"
    label = "identity"
    verbose_name = _("Digital identity and passkeys")
