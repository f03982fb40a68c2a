from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "gov3.catalogue"
    label = "catalogue"
