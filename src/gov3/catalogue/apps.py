from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "gov3.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        from gov3.catalogue import checks  # noqa: F401, PLC0415 - registers the system check
        from gov3.catalogue.installed import declare_installed_facts  # noqa: PLC0415

        declare_installed_facts()
