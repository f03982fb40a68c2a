from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "gov3.backoffice"
    label = "backoffice"
