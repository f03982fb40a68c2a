from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    """The open-data catalogue (DCAT), its datasets, their Table Schemas and downloads."""

    name = "gov3.opendata"
    label = "opendata"
    default_auto_field = "django.db.models.BigAutoField"
