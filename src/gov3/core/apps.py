from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gov3.core"
    label = "core"
    verbose_name = "Audit and access logs"
