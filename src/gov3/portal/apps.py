from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "gov3.portal"
    label = "portal"
