from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SaemaulConfig(AppConfig):
    name = "gov3.saemaul"
    label = "saemaul"
    verbose_name = _("Saemaul Undong")
