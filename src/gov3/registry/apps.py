from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gov3.registry"
    label = "registry"
    verbose_name = "Population register"
